/**
 * @module qemu-vm
 * The appliance under QEMU for the boot test: software emulation (TCG; KVM does not work on
 * this machine kind), user-mode NAT with the appliance's port forwards on 127.0.0.1, the serial
 * console in a log file, every disk opened with `-snapshot` so a run never changes the images.
 * The process is killed by PID when the test ends, and when the Node process exits for any reason.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { execa } from 'execa'

export interface Forward {
  host: number
  guest: number
}

export interface VmOptions {
  disks: { path: string; format: 'raw' | 'vmdk' | 'qcow2' }[]
  forwards: Forward[]
  serialLog: string
  memoryMB?: number
  cpus?: number
}

const running = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

export class QemuVm {
  private constructor(
    private readonly child: ChildProcess,
    readonly options: VmOptions,
  ) {}

  static boot(options: VmOptions): QemuVm {
    const net = ['user', 'id=n0', ...options.forwards.map((f) => `hostfwd=tcp:127.0.0.1:${f.host}-:${f.guest}`)].join(',')
    const args = [
      '-accel', 'tcg', '-m', String(options.memoryMB ?? 3072), '-smp', String(options.cpus ?? 2),
      '-display', 'none', '-snapshot', '-no-reboot',
      ...options.disks.flatMap((d) => ['-drive', `file=${d.path},format=${d.format},if=virtio`]),
      '-netdev', net, '-device', 'virtio-net-pci,netdev=n0',
      '-serial', `file:${options.serialLog}`,
    ]
    const child = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'ignore', 'pipe'] })
    running.add(child)
    child.once('exit', () => running.delete(child))
    return new QemuVm(child, options)
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null
  }

  // Stop the VM at once (the disks are snapshots: nothing to save). Idempotent.
  async kill(): Promise<void> {
    if (!this.alive) return
    const exited = new Promise((resolve) => this.child.once('exit', resolve))
    this.child.kill('SIGKILL')
    await exited
  }
}

/** SSH into the guest as the test user through the SSH forward. */
export async function ssh(port: number, key: string, command: string, timeoutMs = 120_000): Promise<{ exitCode: number; output: string }> {
  const result = await execa(
    'ssh',
    ['-i', key, '-p', String(port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=20', '-o', 'BatchMode=yes', 'boottest@127.0.0.1', command],
    { reject: false, all: true, timeout: timeoutMs },
  )
  return { exitCode: result.exitCode ?? -1, output: result.all ?? '' }
}
