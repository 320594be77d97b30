/**
 * @module liveness-probe
 * Is a child process alive, not merely present? A parent sends `probe` messages over IPC; the
 * child answers each from its event loop, so a child that is stopped, stuck in a loop or blocked
 * does not answer. The supervisor probes its child programs (child-program.ts), the receiver's
 * primary its workers (worker-watch.ts). Silence is tolerated as long as the C-ECHO heartbeat
 * tolerates it: `failuresBeforeRestart` intervals plus one timeout.
 */

export type LivenessProbe = { type: 'probe'; id: number }
export type LivenessProbeAnswer = { type: 'probe-answer'; id: number }

const typed = (message: unknown, type: string) => typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type

export function isProbe(message: unknown): message is LivenessProbe {
  return typed(message, 'probe')
}

export function isProbeAnswer(message: unknown): message is LivenessProbeAnswer {
  return typed(message, 'probe-answer')
}

// How long a child may stay silent, from the heartbeat settings (seconds in, milliseconds out).
export function silenceDeadlineMs(heartbeat: { intervalSeconds: number; timeoutSeconds: number; failuresBeforeRestart: number }): number {
  return (heartbeat.failuresBeforeRestart * heartbeat.intervalSeconds + heartbeat.timeoutSeconds) * 1000
}

// In a child's entry file: answer every probe the parent sends.
export function answerLivenessProbes(): void {
  process.on('message', (message: unknown) => {
    if (isProbe(message) && process.connected) process.send?.({ type: 'probe-answer', id: message.id } satisfies LivenessProbeAnswer)
  })
}
