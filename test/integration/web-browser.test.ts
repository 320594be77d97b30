/**
 * The web interface in a real browser (Debian's chromium driven by playwright-core) against the
 * real box: first login with the generated password, a job that a real storescu send created
 * appearing live, its log followed while it runs, its output downloaded as a zip, a routing rule
 * edited, a unit restarted. Screenshots of every page go to test-output/screenshots/.
 */
import assert from 'node:assert/strict'
import { mkdir, readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { execa } from 'execa'
import { chromium, type Browser, type Page } from 'playwright-core'
import { BoxProcess } from '../helpers/box-process.js'
import { Storescp, storescu } from '../helpers/dicom-peers.js'
import { writeProcessStreams } from '../helpers/fixture-streams.js'
import { CT_TEMPLATE, makeStudy } from '../helpers/study-fixtures.js'
import { tempFolder } from '../helpers/temp-folder.js'

const SHOTS = resolve(import.meta.dirname, '..', '..', 'test-output', 'screenshots')
const NEW_PASSWORD = 'a long new password 42'

describe('the web interface in a browser', () => {
  let temp: Awaited<ReturnType<typeof tempFolder>>
  let box: BoxProcess
  let peer: Storescp
  let browser: Browser
  let page: Page
  let base: string
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })

  before(async () => {
    temp = await tempFolder()
    await mkdir(SHOTS, { recursive: true })
    const streams = join(temp.path, 'streams')
    await writeProcessStreams(streams, [
      {
        aeTitle: 'SLOWCOPY',
        script: 'for i in 1 2 3 4 5 6; do echo "working on step $i of 6"; sleep 1; done\ncp -R "$1"/. "$2"/\necho "all steps done"',
        info: { name: 'Slow copy', description: 'Copies the study, slowly, saying what it does.' },
      },
    ])
    peer = await Storescp.start(join(temp.path, 'peer'))
    box = await BoxProcess.start({
      dataDir: join(temp.path, 'data'),
      streamsDir: streams,
      routing: { routing: [{ name: 'back to the viewer', send: [{ success: { IP: '127.0.0.1', PORT: peer.port, AETitleTo: 'VIEWER' } }] }] },
    })
    base = `http://127.0.0.1:${box.webPort}`
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
    page = await (await browser.newContext({ acceptDownloads: true, viewport: { width: 1360, height: 900 } })).newPage()
    page.on('dialog', (dialog) => void dialog.accept())
  })

  after(async () => {
    await browser?.close()
    await box?.stop()
    await peer?.stop()
    await temp?.remove()
  })

  it('logs in with the generated password, which must be changed first', async () => {
    const password = (await readFile(join(box.options.dataDir, 'initial-admin-password'), 'utf8')).trim()
    await page.goto(`${base}/`)
    assert.match(page.url(), /\/login/)
    await shot('01-login')
    await page.fill('input[name=user]', 'admin')
    await page.fill('input[name=password]', password)
    await page.click('button.primary')
    await page.waitForURL(/\/password/)
    await page.fill('input[name=current]', password)
    await page.fill('input[name=password]', NEW_PASSWORD)
    await page.fill('input[name=again]', NEW_PASSWORD)
    await page.click('button.primary')
    await page.waitForURL(`${base}/`)
    assert.match(await page.textContent('h2') ?? '', /Jobs per day/)
  })

  it('shows a job a real storescu send created, without reloading, and follows its log while it runs', async () => {
    const study = await makeStudy(CT_TEMPLATE, 3, join(temp.path, 'study'), 1, 'BROWSER^TEST')
    assert.equal((await storescu(box.port, 'SLOWCOPY', study, [], 'CT_SCANNER')).exitCode, 0)
    const link = page.locator('#jobs-table a[href^="/jobs/"]').first()
    await link.waitFor({ timeout: 20_000 })
    assert.match(await page.textContent('#jobs-table') ?? '', /BROWSER, TEST/)
    await shot('02-jobs')
    await link.click()
    await page.waitForSelector('#log')
    await page.waitForFunction(() => /working on step 4 of 6/.test(document.getElementById('log')?.textContent ?? ''), undefined, { timeout: 20_000 })
    await shot('03-job-running')
    await page.waitForFunction(() => /Delivered|delivered to|done/.test(document.body.textContent ?? '') && !!document.querySelector('.badge.s-done'), undefined, { timeout: 30_000 })
    await page.reload()
    assert.match(await page.textContent('#log') ?? '', /all steps done/)
    assert.match(await page.textContent('body') ?? '', /3 of 3 instance\(s\) acknowledged/)
    await shot('04-job-done')
  })

  it('downloads the output as a zip holding the files', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[href$="/output.zip"]')])
    const file = join(temp.path, 'output.zip')
    await download.saveAs(file)
    const { stdout } = await execa('/usr/bin/python3', ['-c', 'import sys, zipfile; print(len([n for n in zipfile.ZipFile(sys.argv[1]).namelist() if n.endswith(".dcm")]))', file])
    assert.equal(stdout.trim(), '3')
  })

  it('edits a routing rule, refuses a broken one, and tests it', async () => {
    await page.goto(`${base}/routing`)
    const text = await page.inputValue('textarea[name=routing]')
    await page.fill('textarea[name=routing]', text.replace('"back to the viewer"', '"results to the viewer"'))
    await page.click('form.editor button.primary')
    await page.waitForSelector('.notice.ok')
    assert.match(await page.textContent('.notice.ok') ?? '', /saved: 1 rule/)
    assert.match(await readFile(join(box.options.dataDir, 'routing.json'), 'utf8'), /results to the viewer/)
    await page.fill('textarea[name=routing]', '{"routing": [ {"name": "broken" ')
    await page.click('form.editor button.primary')
    await page.waitForSelector('.notice.error')
    assert.match(await page.textContent('.notice.error') ?? '', /not valid JSON at line 1/)
    await page.goto(`${base}/routing?calledAE=SLOWCOPY&callingAE=CT_SCANNER&outcome=success`)
    assert.match(await page.textContent('body') ?? '', /1 destination\(s\)/)
    await shot('05-routing')
  })

  it('restarts a unit from the system page', async () => {
    await page.goto(`${base}/system`)
    await shot('06-system')
    const row = page.locator('tr', { hasText: 'sender' }).first()
    const before = await row.locator('td').nth(2).textContent()
    await row.locator('button').click()
    await page.waitForSelector('.notice.ok')
    assert.match(await page.textContent('.notice.ok') ?? '', /sender restarted/)
    await page.waitForFunction((pid) => {
      const cells = Array.from(document.querySelectorAll('tr')).find((r) => r.textContent?.includes('sender'))?.querySelectorAll('td')
      return cells && cells[2]?.textContent !== pid
    }, before, { timeout: 10_000 }).catch(() => undefined)
    await page.reload()
    const after = await page.locator('tr', { hasText: 'sender' }).first().locator('td').nth(2).textContent()
    assert.notEqual(after, before, 'the sender has a new pid')
  })

  it('shows the streams, studies and setup pages', async () => {
    for (const [path, name, text] of [['/streams', '07-streams', /Takes studies sent to/], ['/studies', '08-studies', /BROWSER, TEST/], ['/setup', '09-setup', /Default destination/]] as const) {
      await page.goto(`${base}${path}`)
      assert.match(await page.textContent('main') ?? '', text)
      await shot(name)
    }
  })
})
