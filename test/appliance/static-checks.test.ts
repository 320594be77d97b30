/**
 * Static checks of the appliance build: packer/ is formatted and validates offline with
 * Debian's Packer 1.6.6 for every pkrvars file, the Vagrantfile validates with Vagrant 2.3.4
 * (a fake VBoxManage stands in for VirtualBox), the shell scripts pass shellcheck, and the NAT
 * forwards and the build user's password agree across the files that state them. Offline and
 * quick: no plugin download, no ISO, no VM.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { cp, mkdir, readdir, readFile, symlink } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { tempFolder } from '../helpers/temp-folder.js'

const ROOT = resolve(import.meta.dirname, '..', '..')
const PACKER = join(ROOT, 'packer')
const FAKEBIN = join(import.meta.dirname, 'fakebin')

/** The appliance's forwards: host port → guest port, named as in both files. */
const FORWARDS = [
  { name: 'dicom', host: 11113, guest: 1234 },
  { name: 'web', host: 2813, guest: 2813 },
  { name: 'ssh', host: 4321, guest: 22 },
  { name: 'rdp', host: 3389, guest: 3389 },
  { name: 'dicom-tls', host: 2762, guest: 2762 },
]

interface Run {
  code: number
  output: string
}

/** Runs a command to its end; never throws for a non-zero exit (the caller asserts on it). */
function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((done, fail) => {
    execFile(command, args, { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, timeout: 60_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return fail(new Error(`${command} could not run: ${error.message}`))
      done({ code: error ? Number(error.code) : 0, output: `${stdout}${stderr}`.trim() })
    })
  })
}

function outputOf(what: string, r: Run): string {
  return `${what} exited with ${r.code}:\n${r.output}`
}

async function filesIn(folder: string, keep: (name: string) => boolean): Promise<string[]> {
  const names = await readdir(folder).catch(() => [] as string[])
  return names.filter(keep).sort().map((name) => join(folder, name))
}

/** packer/ and its folders holding .pkr.hcl or .pkrvars.hcl files, but not the build's own files. */
async function hclFolders(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true })
  const found = entries.some((e) => e.isFile() && /\.pkr(vars)?\.hcl$/.test(e.name)) ? [folder] : []
  for (const e of entries) {
    if (e.isDirectory() && !['build', 'output'].includes(e.name)) found.push(...(await hclFolders(join(folder, e.name))))
  }
  return found
}

/** The source a pkrvars file is for, by the naming rule of packer/pkrvars: drop the version. */
function sourceNameOf(pkrvars: string): string {
  return basename(pkrvars, '.pkrvars.hcl').split('-').filter((part) => !/^\d/.test(part)).join('-')
}

describe('the appliance build files (static checks)', () => {
  let temp: Awaited<ReturnType<typeof tempFolder>>
  let templateCopy: string
  let vagrantCopy: string
  let pkrvarsFiles: string[]

  before(async () => {
    temp = await tempFolder('magickbox-appliance-')
    pkrvarsFiles = await filesIn(join(PACKER, 'pkrvars'), (n) => n.endsWith('.pkrvars.hcl'))

    // packer/ as CI's Packer 1.6.6 sees it: without plugins.pkr.hcl (a parse error there), with
    // an empty build/ for the file provisioner to find (the real one is made by
    // prepare-build-files.sh, and is large), and provision/ beside it as in the repository.
    templateCopy = join(temp.path, 'template', 'packer')
    await mkdir(templateCopy, { recursive: true })
    for (const file of await filesIn(PACKER, (n) => n.endsWith('.pkr.hcl') && n !== 'plugins.pkr.hcl')) {
      await cp(file, join(templateCopy, basename(file)))
    }
    await cp(join(PACKER, 'http'), join(templateCopy, 'http'), { recursive: true })
    await mkdir(join(templateCopy, 'build'))
    await symlink(join(ROOT, 'provision'), join(temp.path, 'template', 'provision'))

    // Vagrant writes .vagrant/ next to the Vagrantfile: validate a copy, not the repository.
    vagrantCopy = join(temp.path, 'vagrant')
    await mkdir(vagrantCopy)
    await cp(join(ROOT, 'Vagrantfile'), join(vagrantCopy, 'Vagrantfile'))
    await symlink(join(ROOT, 'provision'), join(vagrantCopy, 'provision'))
  })

  after(async () => temp?.remove())

  it('finds packer/ and its subfolders formatted as `packer fmt` writes them', async () => {
    // Packer 1.6.6 has no `fmt -recursive`: each folder with HCL files is checked on its own.
    const folders = await hclFolders(PACKER)
    assert.ok(folders.includes(PACKER) && folders.includes(join(PACKER, 'pkrvars')), `HCL folders found: ${folders.join(', ')}`)
    for (const folder of folders) {
      const r = await run('packer', ['fmt', '-check', folder])
      assert.equal(r.code, 0, outputOf(`packer fmt -check ${folder} (files to reformat are listed; \`packer fmt ${folder}\` fixes them)`, r))
    }
  })

  it('has a pkrvars file for every source, and a source for every pkrvars file', async () => {
    const sources = [...(await readFile(join(PACKER, 'sources.pkr.hcl'), 'utf8')).matchAll(/^source\s+"([^"]+)"\s+"([^"]+)"/gm)].map((m) => ({ type: m[1], name: m[2] }))
    assert.ok(sources.length > 0, 'no source blocks found in packer/sources.pkr.hcl')
    assert.ok(pkrvarsFiles.length > 0, 'no packer/pkrvars/*.pkrvars.hcl')
    const named = new Set(pkrvarsFiles.map(sourceNameOf))
    for (const s of sources) assert.ok(named.has(s.name), `no pkrvars file builds ${s.type}.${s.name} (pkrvars/${s.name}-<version>.pkrvars.hcl)`)
    for (const file of pkrvarsFiles) assert.ok(sources.some((s) => s.name === sourceNameOf(file)), `${basename(file)}: no source named "${sourceNameOf(file)}" in sources.pkr.hcl`)
  })

  it('validates with Packer 1.6.6, offline, for every pkrvars file and the sources it builds', async () => {
    const version = await run('packer', ['version'])
    assert.equal(version.code, 0, outputOf('packer version', version))
    for (const file of pkrvarsFiles) {
      const only = `*.${sourceNameOf(file)}`
      // base_image only matters to qemu.debian-ci; any absolute path passes validation.
      // Started in the folder above the template and given its relative path, as `packer build
      // packer` from the repository's root: relative path.root is where path mistakes show.
      const args = ['validate', `-only=${only}`, `-var-file=${file}`, '-var', 'base_image=/nonexistent/base.qcow2', 'packer']
      const r = await run('packer', args, { cwd: dirname(templateCopy), env: { CHECKPOINT_DISABLE: '1' } })
      assert.equal(r.code, 0, outputOf(`${version.output}: packer ${args.join(' ')}`, r))
    }
  })

  it('validates the Vagrantfile with Vagrant and its VirtualBox provider settings', async () => {
    const r = await run('vagrant', ['validate'], {
      cwd: vagrantCopy,
      env: {
        PATH: `${FAKEBIN}:${process.env.PATH}`,
        VAGRANT_CHECKPOINT_DISABLE: '1',
        VAGRANT_DEFAULT_PROVIDER: 'virtualbox',
        // As the README runs it: Vagrant 2.3 checks config.vm.disk only with this feature on.
        VAGRANT_EXPERIMENTAL: 'disks',
      },
    })
    assert.equal(r.code, 0, outputOf('vagrant validate (with the fake VBoxManage of test/appliance/fakebin)', r))
    assert.match(r.output, /validated successfully/)
  })

  it('finds nothing for shellcheck to report in the provision, build and test scripts', async () => {
    const isSh = (n: string): boolean => n.endsWith('.sh')
    const scripts = [
      ...(await filesIn(join(ROOT, 'provision'), isSh)),
      ...(await filesIn(join(PACKER, 'ci'), isSh)),
      ...(await filesIn(import.meta.dirname, isSh)),
      join(FAKEBIN, 'VBoxManage'),
    ]
    assert.ok(scripts.some((s) => s.includes('/provision/')), 'no provision/*.sh to check')
    const r = await run('shellcheck', ['-s', 'sh', ...scripts])
    assert.equal(r.code, 0, outputOf(`shellcheck -s sh (${scripts.length} scripts)`, r))
  })

  it('gives the OVA (vboxmanage_post) and the Vagrantfile the same five NAT forwards', async () => {
    const byName = (a: { name: string }, b: { name: string }): number => a.name.localeCompare(b.name)
    const expected = [...FORWARDS].sort(byName)

    const sources = await readFile(join(PACKER, 'sources.pkr.hcl'), 'utf8')
    const post = sources.slice(sources.indexOf('vboxmanage_post'))
    const packerRules = [...post.matchAll(/"--natpf1",\s*"([^"]*)"/g)].map((m) => {
      const [name, proto, hostIp, host, guestIp, guest] = (m[1] ?? '').split(',')
      assert.equal(proto, 'tcp', `natpf rule ${m[1]}`)
      assert.equal(`${hostIp}${guestIp}`, '', `natpf rule ${m[1]}: every host address, the guest's DHCP address`)
      return { name: name ?? '', host: Number(host), guest: Number(guest) }
    })
    assert.deepEqual(packerRules.sort(byName), expected, 'packer/sources.pkr.hcl vboxmanage_post --natpf1 rules')

    const vagrantfile = await readFile(join(ROOT, 'Vagrantfile'), 'utf8')
    const lines = vagrantfile.split('\n').filter((l) => /^\s*config\.vm\.network\s+"forwarded_port"/.test(l))
    const vagrantRules = lines.map((line) => {
      const value = (key: string): string => line.match(new RegExp(`\\b${key}:\\s*"?([\\w-]+)"?`))?.[1] ?? ''
      return { name: value('id'), host: Number(value('host')), guest: Number(value('guest')) }
    })
    assert.deepEqual(vagrantRules.sort(byName), expected, 'Vagrantfile forwarded_port lines')
    const ssh = lines.find((l) => /id:\s*"ssh"/.test(l)) ?? ''
    assert.match(ssh, /auto_correct:\s*false/, 'the SSH forward must stay on 4321 (auto_correct: false)')
  })

  it('creates the build user with the password Packer logs in with', async () => {
    const sources = await readFile(join(PACKER, 'sources.pkr.hcl'), 'utf8')
    const user = sources.match(/^\s*build_user\s*=\s*"([^"]+)"/m)?.[1]
    const password = sources.match(/^\s*build_password\s*=\s*"([^"]+)"/m)?.[1]
    assert.ok(user && password, 'build_user / build_password locals in packer/sources.pkr.hcl')

    const userData = await readFile(join(PACKER, 'http', 'ubuntu', 'user-data'), 'utf8')
    assert.match(userData, /^#cloud-config\n/, 'user-data must start with #cloud-config')
    assert.equal(userData.match(/^\s+username:\s*(\S+)\s*$/m)?.[1], user, 'autoinstall identity username')
    const crypt = userData.match(/^\s+password:\s*"(\$6\$[^$"]+\$[^"]+)"\s*$/m)?.[1]
    assert.ok(crypt, 'autoinstall identity password: a quoted SHA-512 crypt ($6$salt$hash)')
    const salt = crypt.split('$')[2] ?? ''
    const again = await run('openssl', ['passwd', '-6', '-salt', salt, password])
    assert.equal(again.code, 0, outputOf('openssl passwd', again))
    assert.equal(again.output, crypt, `the user-data hash is not that of "${password}"`)
  })
})
