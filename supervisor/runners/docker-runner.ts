/**
 * @module docker-runner
 * Runs a stream as a container: `/input` (read-only), `/output` and `/memory` mounted, the
 * stream's command (default `/root/work.sh /input /output`), killed at its timeout, always removed.
 */
import type { DockerEngine } from './docker-client.js'
import type { RunRequest, RunResult } from './run-request.js'

export const JOB_LABEL = 'magickbox.job'

export async function runInDocker(engine: DockerEngine, request: RunRequest): Promise<RunResult> {
  const { stream } = request
  await engine.removeByLabel(JOB_LABEL, request.jobId)
  return engine.run(
    {
      name: `magickbox-${request.jobId}`,
      image: stream.imageTag,
      command: stream.command,
      binds: [`${request.inputDir}:/input:ro`, `${request.outputDir}:/output`, `${request.memoryDir}:/memory`],
      env: ['MAGICKBOX_INPUT=/input', 'MAGICKBOX_OUTPUT=/output', 'MAGICKBOX_MEMORY=/memory', `MAGICKBOX_JOB=${request.jobId}`],
      labels: { [JOB_LABEL]: request.jobId, 'magickbox.stream': stream.aeTitle },
    },
    request.log,
    stream.timeoutMinutes * 60_000,
    request.signal,
  )
}
