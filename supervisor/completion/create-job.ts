/**
 * @module create-job
 * Turns a completed study group into a queued job, crash-safely:
 * 1. `mkdir scratch/.new-<id>`; 2. rename the group folder to `.new-<id>/input` (this captures the
 * group: an instance arriving later finds it gone and starts a new group); 3. move group.json out,
 * count the instances, write job.json; 4. rename `.new-<id>` to `<id>`. A restart finishes any
 * `.new-*` folder that holds an input, and removes one that does not.
 */
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { GROUP_FILE, INPUT_DIR, JOB_FILE, NEW_JOB_PREFIX, OUTPUT_DIR, type DataPaths } from '../config/data-paths.js'
import { readInstanceFile } from '../dicom/part10-file.js'
import { writeJsonAtomic } from '../fs/atomic-write.js'
import { readJsonIfExists } from '../fs/read-json.js'
import type { Logger } from '../logging/logger.js'
import type { Job, StudyFacts } from '../jobs/job.js'
import { newJobId } from '../jobs/job-id.js'
import type { JobStore } from '../jobs/job-store.js'
import type { GroupRecord } from '../receiver/incoming-store.js'

export interface CreateJobDeps {
  paths: DataPaths
  store: JobStore
  logger: Logger
}

export interface Completion {
  /** Why the group is complete, for the job record. */
  reason: string
  /** When the group's last instance arrived. */
  lastArrivalAt: Date
}

const EMPTY_FACTS: StudyFacts = { patientId: '', patientName: '', accessionNumber: '', studyDate: '', studyDescription: '', modality: '' }

// Patient and study attributes of the first readable instance, for lists and searches.
function studyFacts(files: string[]): StudyFacts {
  for (const file of files.slice(0, 5)) {
    try {
      const { header } = readInstanceFile(file)
      return {
        patientId: header.patientId,
        patientName: header.patientName,
        accessionNumber: header.accessionNumber,
        studyDate: header.studyDate,
        studyDescription: header.studyDescription,
        modality: header.modality,
      }
    } catch {
      // try the next one
    }
  }
  return EMPTY_FACTS
}

// Step 3 and 4: make the job from a staging folder that holds the captured group as input/.
async function finishStagedJob(deps: CreateJobDeps, staging: string, jobId: string, completion: Completion): Promise<Job | undefined> {
  const input = join(staging, INPUT_DIR)
  const inGroup = join(input, GROUP_FILE)
  const moved = join(staging, GROUP_FILE)
  await rename(inGroup, moved).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error
  })
  const group = await readJsonIfExists<GroupRecord>(moved)
  const names = (await readdir(input)).filter((name) => name.endsWith('.dcm'))
  if (!group || names.length === 0) {
    deps.logger.warn(`study group in ${staging} has ${group ? 'no instances' : 'no group.json'}; removed`)
    await rm(staging, { recursive: true, force: true })
    return undefined
  }
  const files = names.map((name) => join(input, name))
  let bytes = 0
  for (const file of files) bytes += (await stat(file)).size
  const earlier = deps.store.index.idsForStudy(group.calledAE, group.callingAE, group.studyInstanceUID)
  const now = new Date().toISOString()
  const reason = earlier.length
    ? `${completion.reason}; these ${names.length} instance(s) arrived after job ${earlier.join(', ')} was created for the same study, so this job holds only them`
    : completion.reason
  const job: Job = {
    id: jobId,
    state: 'queued',
    stream: group.calledAE,
    calledAE: group.calledAE,
    callingAE: group.callingAE,
    callerIP: group.callerIP,
    studyInstanceUID: group.studyInstanceUID,
    study: studyFacts(files),
    instances: names.length,
    bytes,
    receivedAt: group.firstArrivalAt,
    lastArrivalAt: completion.lastArrivalAt.toISOString(),
    completedAt: now,
    completedReason: reason,
    lateArrivalOf: earlier,
    queuedAt: now,
    waitingReason: undefined,
    runs: 0,
    startedAt: undefined,
    finishedAt: undefined,
    exitCode: undefined,
    outcome: undefined,
    outcomeMessage: undefined,
    failedReason: undefined,
    deliveries: [],
    routingNote: undefined,
    history: [{ at: now, from: undefined, to: 'queued', reason }],
  }
  await mkdir(join(staging, OUTPUT_DIR), { recursive: true })
  await writeJsonAtomic(join(staging, JOB_FILE), job)
  const final = join(deps.paths.scratch, jobId)
  await rename(staging, final)
  await deps.store.adopt(job)
  deps.logger.info(
    `job ${jobId} created for stream ${job.stream}: ${job.instances} instance(s) of study ${deps.logger.ids.uid(job.studyInstanceUID)}, ${deps.logger.ids.patient(job.study.patientName, job.study.patientId)}, from ${job.callingAE}@${job.callerIP}; ${reason}`,
  )
  return job
}

// Capture a completed group and make its job; undefined when the group was already taken.
export async function createJobFromGroup(deps: CreateJobDeps, groupKey: string, completion: Completion): Promise<Job | undefined> {
  const jobId = newJobId()
  const staging = join(deps.paths.scratch, `${NEW_JOB_PREFIX}${jobId}`)
  await mkdir(staging, { recursive: true })
  try {
    await rename(join(deps.paths.incoming, groupKey), join(staging, INPUT_DIR))
  } catch (error) {
    await rm(staging, { recursive: true, force: true })
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  return finishStagedJob(deps, staging, jobId, completion)
}

// At start: finish job folders whose creation was interrupted, drop empty ones.
export async function recoverStagedJobs(deps: CreateJobDeps): Promise<number> {
  const names = (await readdir(deps.paths.scratch).catch(() => [] as string[])).filter((n) => n.startsWith(NEW_JOB_PREFIX))
  let recovered = 0
  for (const name of names) {
    const staging = join(deps.paths.scratch, name)
    const hasInput = await stat(join(staging, INPUT_DIR)).then(
      () => true,
      () => false,
    )
    if (!hasInput) {
      await rm(staging, { recursive: true, force: true })
      continue
    }
    const jobId = name.slice(NEW_JOB_PREFIX.length)
    const job = await finishStagedJob(deps, staging, jobId, {
      reason: 'study group was complete before a restart; the job was created when the box started again',
      lastArrivalAt: new Date(),
    })
    if (job) recovered++
  }
  return recovered
}
