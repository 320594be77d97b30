/**
 * The boot test of the appliance (`npm run test:appliance`): the image built by
 * build-test-image.sh (the Debian 12 base provisioned by the same scripts as Packer and Vagrant)
 * booted under QEMU with the appliance's NAT forwards, and checked from the host the way a user
 * reaches it: DICOM on 11113, the web interface on 2813, SSH on 4321, RDP on 3389; a study sent
 * to ProcPics comes back processed to a PACS on the host; nothing else gets in. Then the image is
 * packed as an OVA, and the disks taken back out of the OVA boot once more.
 *
 * Env: MAGICKBOX_APPLIANCE_DIR (default test-output/appliance) holds disk.raw, scratch.raw and
 * test-key from build-test-image.sh; the serial logs, the RDP screenshot and the OVA go there.
 */
import assert from 'node:assert/strict'
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises'
import { connect, createServer } from 'node:net'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { execa } from 'execa'
import { echoscu, Storescp, storescu } from '../helpers/dicom-peers.js'
import { CT_TEMPLATE, makeStudy } from '../helpers/study-fixtures.js'
import { waitFor } from '../helpers/wait-for.js'
import { QemuVm, ssh, type Forward } from './qemu-vm.js'

const ROOT = resolve(import.meta.dirname, '..', '..')
const DIR = resolve(process.env.MAGICKBOX_APPLIANCE_DIR ?? join(ROOT, 'test-output', 'appliance'))
const KEY = join(DIR, 'test-key')
const PORTS = { dicom: 11113, web: 2813, ssh: 4321, rdp: 3389, dicomTls: 2762, probe: 15555 }
const FORWARDS: Forward[] = [
  { host: PORTS.dicom, guest: 1234 },
  { host: PORTS.web, guest: 2813 },
  { host: PORTS.ssh, guest: 22 },
  { host: PORTS.rdp, guest: 3389 },
  { host: PORTS.dicomTls, guest: 2762 },
  // A port the firewall does not open, to show it is closed.
  { host: PORTS.probe, guest: 5555 },
]

async function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer()
    server.once('error', () => done(false))
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)))
  })
}

// What a TCP peer says within `ms` after connecting (empty when nothing or refused).
async function firstBytes(port: number, ms: number): Promise<string> {
  return new Promise((done) => {
    let text = ''
    const socket = connect({ host: '127.0.0.1', port })
    const finish = () => {
      socket.destroy()
      done(text)
    }
    socket.on('data', (chunk) => (text += chunk.toString()))
    socket.on('error', finish)
    socket.on('close', finish)
    setTimeout(finish, ms)
  })
}

async function bootAndWait(disks: { path: string; format: 'raw' | 'vmdk' }[], serialLog: string): Promise<QemuVm> {
  const vm = QemuVm.boot({ disks, forwards: FORWARDS, serialLog })
  const started = Date.now()
  const deadline = started + 8 * 60_000
  while ((await echoscu(PORTS.dicom, 'MAGICKBOX', ['-to', '5'])).exitCode !== 0) {
    if (!vm.alive) assert.fail(`qemu exited before the appliance answered; see ${serialLog}`)
    if (Date.now() > deadline) assert.fail(`no C-ECHO answer on host port ${PORTS.dicom} within 8 minutes of power-on; see ${serialLog}`)
    await new Promise((r) => setTimeout(r, 3000))
  }
  console.log(`# the appliance answered C-ECHO ${Math.round((Date.now() - started) / 1000)} s after power-on`)
  return vm
}

describe('the appliance', () => {
  let vm: QemuVm | undefined
  let pacs: Storescp
  const disks = [
    { path: join(DIR, 'disk.raw'), format: 'raw' as const },
    { path: join(DIR, 'scratch.raw'), format: 'raw' as const },
  ]

  before(async () => {
    for (const file of ['disk.raw', 'scratch.raw', 'test-key']) await stat(join(DIR, file)).catch(() => assert.fail(`${join(DIR, file)} is missing: run test/appliance/build-test-image.sh ${DIR} first`))
    for (const [name, port] of Object.entries(PORTS)) assert.ok(await portFree(port), `host port ${port} (${name}) is taken: the boot test needs it for the appliance's forwards`)
    pacs = await Storescp.start(join(DIR, 'pacs'), ['-aet', 'HOSTPACS'])
    vm = await bootAndWait(disks, join(DIR, 'serial.log'))
  })
  after(async () => {
    await vm?.kill()
    await pacs?.stop()
  })

  it('answers C-ECHO on host port 11113 with its AE title', async () => {
    const echo = await echoscu(PORTS.dicom, 'MAGICKBOX')
    assert.equal(echo.exitCode, 0, echo.output)
  })

  it('serves the web login page on host port 2813', async () => {
    const page = await waitFor('the login page', async () => {
      const response = await fetch(`http://127.0.0.1:${PORTS.web}/login`).catch(() => undefined)
      return response?.ok ? response.text() : undefined
    }, 120_000, 2000)
    assert.match(page, /<form[^>]+action="\/login"/)
  })

  it('lets the operator in over SSH on host port 4321, with every service running', async () => {
    const result = await ssh(PORTS.ssh, KEY, 'systemctl is-active magickbox docker ssh xrdp magickbox-firewall && findmnt -no SOURCE,FSTYPE /data/scratch && node --version')
    assert.equal(result.exitCode, 0, result.output)
    assert.match(result.output, /^active\nactive\nactive\nactive\nactive\n/)
    assert.match(result.output, /ext4/)
    assert.match(result.output, /^v20\./m)
    // The first web login: a generated password only the box's user can read, and the console says where.
    const first = await ssh(PORTS.ssh, KEY, 'sudo stat -c %a:%U /data/initial-admin-password && grep -c initial-admin-password /etc/issue.d/magickbox.issue')
    assert.match(first.output, /^600:processing\n[1-9]\s*$/, first.output)
  })

  it('makes the seed user processing change its password at the first login', async () => {
    const login = await execa('sshpass', ['-p', 'processing', 'ssh', '-p', String(PORTS.ssh), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'PubkeyAuthentication=no', 'processing@127.0.0.1', 'true'], { reject: false, all: true, timeout: 60_000 })
    assert.notEqual(login.exitCode, 0)
    assert.match(login.all ?? '', /password (has )?expired|change your password/i)
  })

  it('runs ProcPics on a study sent to host port 11113 and routes the processed series to a PACS on the host', async () => {
    const token = (await ssh(PORTS.ssh, KEY, 'sudo magickbox user token admin boot-test')).output.trim().split('\n').at(-1)!
    const api = (path: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${PORTS.web}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } })
    const routing = { routing: [{ name: 'results to the PACS on the host', AETitleIn: '^ProcPics$', send: [{ '.*': { IP: '10.0.2.2', PORT: pacs.port, AETitleTo: 'HOSTPACS' } }] }] }
    const saved = await api('/routing', { method: 'PUT', body: JSON.stringify(routing) })
    assert.equal(saved.status, 200, await saved.text())
    const study = await makeStudy(CT_TEMPLATE, 3, join(DIR, 'study'))
    const sent = await storescu(PORTS.dicom, 'ProcPics', study)
    assert.equal(sent.exitCode, 0, sent.output)
    await waitFor('the processed series at the host PACS', async () => (await pacs.files()).length >= 3, 12 * 60_000, 5000)
    const jobs = (await (await api('/jobs')).json()) as { jobs?: { stream: string; state: string; outcome?: string }[] } | { stream: string; state: string }[]
    const list = Array.isArray(jobs) ? jobs : (jobs.jobs ?? [])
    assert.ok(list.some((j) => j.stream === 'ProcPics'), JSON.stringify(jobs).slice(0, 500))
    const dump = await execa('dcmdump', ['-q', '+P', '0008,0008', '+P', '0020,000d', (await pacs.files())[0]!])
    const original = await execa('dcmdump', ['-q', '+P', '0020,000d', study[0]!])
    assert.match(dump.stdout, /DERIVED/)
    assert.ok(dump.stdout.includes(original.stdout.match(/\[([^\]]+)\]/)![1]!), 'the same study')
  })

  it('lets nothing else in: a port the firewall does not open stays closed from outside', async () => {
    const listen = await ssh(PORTS.ssh, KEY, `nohup node -e "require('net').createServer((s) => s.end('open')).listen(5555)" >/dev/null 2>&1 & sleep 3; node -e "require('net').connect(5555, '127.0.0.1').on('data', (d) => { console.log(String(d)); process.exit(0) })"`)
    assert.match(listen.output, /open/, 'the probe listens inside the guest')
    assert.equal(await firstBytes(PORTS.probe, 5000), '', 'and cannot be reached through the NAT forward')
    assert.match(await firstBytes(PORTS.ssh, 5000), /^SSH-2\.0-/, 'while SSH can')
  })

  it('shows an XFCE desktop over RDP on host port 3389', async () => {
    const display = ':77'
    const screenshot = join(DIR, 'rdp-desktop.png')
    const xvfb = execa('Xvfb', [display, '-screen', '0', '1024x768x24'], { reject: false })
    const client = execa('xfreerdp', [`/v:127.0.0.1:${PORTS.rdp}`, '/u:boottest', '/p:boottest', '/cert:ignore', '/size:1024x768', '-grab-keyboard'], { env: { DISPLAY: display }, reject: false, all: true })
    try {
      // The desktop is drawn when the screen is no longer one flat colour (under TCG: a minute or more).
      const spread = await waitFor('the RDP desktop', async () => {
        if (client.exitCode !== null) throw new Error(`xfreerdp exited: ${(await client).all?.slice(-800)}`)
        await execa('/usr/bin/import', ['-display', display, '-window', 'root', screenshot], { reject: false })
        const measured = await execa('/usr/bin/convert', [screenshot, '-format', '%[fx:standard_deviation]', 'info:'], { reject: false })
        const value = Number(measured.stdout)
        return value > 0.05 ? value : undefined
      }, 4 * 60_000, 5000)
      console.log(`# RDP desktop screenshot: ${screenshot} (spread ${spread.toFixed(3)})`)
      const sessions = await ssh(PORTS.ssh, KEY, 'pgrep -u boottest -l xfce4-session || pgrep -u boottest -l xfwm4')
      assert.equal(sessions.exitCode, 0, `an XFCE session of boottest runs: ${sessions.output}`)
    } finally {
      client.kill('SIGKILL')
      xvfb.kill('SIGKILL')
      await Promise.allSettled([client, xvfb])
    }
  })

  describe('packed as an OVA', () => {
    const ova = join(DIR, 'MasterTemplate.ova')
    const unpacked = join(DIR, 'ova-unpacked')

    before(async () => {
      await vm?.kill()
      vm = undefined
    })

    it('holds a descriptor, a manifest and both disks, and the manifest checks', async () => {
      await execa('sh', [join(ROOT, 'packer', 'ci', 'make-ova.sh'), disks[0]!.path, disks[1]!.path, ova])
      await rm(unpacked, { recursive: true, force: true })
      await mkdir(unpacked)
      const listing = (await execa('tar', ['-tf', ova])).stdout.split('\n')
      assert.deepEqual(listing, ['MasterTemplate.ovf', 'MasterTemplate.mf', 'MasterTemplate-disk001.vmdk', 'MasterTemplate-disk002.vmdk'], 'the descriptor first')
      await execa('tar', ['-xf', ova, '-C', unpacked])
      await execa('xmllint', ['--noout', join(unpacked, 'MasterTemplate.ovf')])
      const manifest = await readFile(join(unpacked, 'MasterTemplate.mf'), 'utf8')
      const lines = manifest.trim().split('\n').map((l) => l.replace(/^SHA256\((.*)\)= (.*)$/, '$2  $1')).join('\n') + '\n'
      const check = await execa('sha256sum', ['-c', '-'], { cwd: unpacked, input: lines, reject: false, all: true })
      assert.equal(check.exitCode, 0, check.all)
      assert.equal((await readdir(unpacked)).length, 4)
    })

    it('boots from the disks taken out of the OVA and answers on 11113 and 2813', async () => {
      vm = await bootAndWait(
        [
          { path: join(unpacked, 'MasterTemplate-disk001.vmdk'), format: 'vmdk' },
          { path: join(unpacked, 'MasterTemplate-disk002.vmdk'), format: 'vmdk' },
        ],
        join(DIR, 'serial-ova.log'),
      )
      const page = await waitFor('the login page', async () => {
        const response = await fetch(`http://127.0.0.1:${PORTS.web}/login`).catch(() => undefined)
        return response?.ok ? response.text() : undefined
      }, 120_000, 2000)
      assert.match(page, /<form[^>]+action="\/login"/)
    })
  })
})
