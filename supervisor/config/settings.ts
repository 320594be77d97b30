/**
 * @module settings
 * The shape of `$MAGICKBOX_DATA/settings.json` and its defaults. Every field is documented in the
 * README ("Configuration").
 */

/** Where `"IP": "$me"` and `"PORT": "$port"` in routing.json send to (the original's PARENTIP). */
export interface DefaultDestination {
  host: string
  port: number
  calledAE: string
}

export interface ReceiverSettings {
  /** "lean": the box's own DICOM upper layer (fast, zero-copy); "dcmjs-dimse": the library's. */
  engine: string
  /** Receiver processes sharing the DICOM port (0 = one per CPU core). */
  workers: number
  /** Largest P-DATA PDU we accept (bytes); told to the sender at association. */
  maxPduLength: number
  /** fsync every instance before answering Success (survives power loss, not only a crash). */
  fsync: boolean
  /** An association idle this long is aborted (seconds). */
  idleTimeoutSeconds: number
  /** Associations at once, in all and from one caller address (more are rejected: local limit exceeded). */
  maxAssociations: number
  maxAssociationsPerIP: number
  /** Largest instance accepted (bytes); a larger one is aborted. */
  maxInstanceBytes: number
  /** Who may send to any stream that does not set its own allowedCallers (empty lists: anyone). */
  allowedCallers: { aeTitles: string[]; ips: string[] }
}

export interface ContainerSettings {
  /** The unprivileged uid:gid stream containers run as (when the box itself runs as root). */
  uid: number
  gid: number
  /** AE titles of streams an admin allowed to run as root ("user": "root" in info.json). */
  allowRoot: string[]
  /** Limits for streams that set none in info.json. */
  memoryMB: number
  cpus: number
  pids: number
}

export interface DeliverySettings {
  /** Attempts per destination before the delivery gives up and the job fails. */
  maxAttempts: number
  /** Delay before the second attempt; later ones grow by `factor` up to `maxDelaySeconds`. */
  firstRetrySeconds: number
  factor: number
  maxDelaySeconds: number
  connectTimeoutSeconds: number
  /** How long to wait for each C-STORE response. */
  responseTimeoutSeconds: number
  /** Our AE title when a route names no AETitleSender. */
  callingAE: string
  /** Largest PDU we send (the peer's maximum wins when smaller). */
  maxPduLength: number
}

export interface RestartSettings {
  firstDelaySeconds: number
  factor: number
  maxDelaySeconds: number
  /** More restarts than this within `windowSeconds` puts the unit in given-up and raises an alert. */
  maxRestarts: number
  windowSeconds: number
}

export interface HeartbeatSettings {
  /** Seconds between C-ECHOs to the box's own receiver; 0 turns the heartbeat off. */
  intervalSeconds: number
  timeoutSeconds: number
  /** Consecutive failures after which the receiver is killed and restarted. */
  failuresBeforeRestart: number
}

export interface HealthSettings {
  intervalSeconds: number
  memoryPercent: number
  cpuPercent: number
  /** CPU must be above its threshold this many checks in a row. */
  cpuChecks: number
  rootPercent: number
  scratchPercent: number
  /** Alerts are POSTed here as JSON when set. */
  webhookUrl: string
}

export interface AdmissionSettings {
  /** Free space kept on the data disk: the larger of the two wins. */
  reserveBytes: number
  reservePercent: number
}

export interface RetentionSettings {
  /** Delete finished jobs when the data disk is fuller than the high-water mark. */
  enabled: boolean
  /** Log what would be deleted, delete nothing. */
  dryRun: boolean
  highWaterPercent: number
  lowWaterPercent: number
  /** Days to keep finished jobs, per outcome (0 = forever). */
  successDays: number
  partialDays: number
  failedDays: number
  /** When retention runs (cron expression). */
  schedule: string
  /** Temp files older than this are orphans. */
  orphanMinutes: number
}

export interface LogSettings {
  /** A log file is rotated when it grows past this. */
  maxBytes: number
  /** Rotated files kept per part (so a part uses at most maxBytes × (keep + 1)). */
  keep: number
  /** Write patient names, patient IDs and UIDs in log lines as short keyed hashes (they are logged only where needed to find a job). */
  maskIdentifiers: boolean
}

export interface TlsSettings {
  /** PEM certificate (with its chain) and private key; relative paths are in the data folder. Empty: no TLS. */
  certificate: string
  key: string
  /** With no certificate set, make a self-signed one on first start (data folder, tls/) and use it. */
  selfSigned: boolean
  /** Serve the web interface over HTTPS (on webPort) when there is a certificate. */
  web: boolean
  /** The DICOM TLS port (2762 by convention; 0 = none); it listens only when there is a certificate. */
  dicomPort: number
  /** PEM bundle of CAs: when set, DICOM TLS callers must present a certificate one of them signed. */
  clientCA: string
}

export interface Settings {
  /** The box's own AE title: answers C-ECHO, takes no storage. */
  aet: string
  dicomPort: number
  webPort: number
  defaultDestination: DefaultDestination
  /** Seconds without a new instance after which a study is complete (streams may override). */
  quietSeconds: number
  receiver: ReceiverSettings
  containers: ContainerSettings
  delivery: DeliverySettings
  /** How often a job waiting for the Docker engine checks again (seconds). */
  dockerRetrySeconds: number
  /** On stop, how long running jobs may go on before they are stopped (they run again at the next start). */
  stopGraceSeconds: number
  /** The status page and API (127.0.0.1 only). */
  statusPort: number
  restart: RestartSettings
  heartbeat: HeartbeatSettings
  health: HealthSettings
  admission: AdmissionSettings
  retention: RetentionSettings
  logs: LogSettings
  tls: TlsSettings
}

export const DEFAULT_SETTINGS: Settings = {
  aet: 'MAGICKBOX',
  dicomPort: 1234,
  webPort: 2813,
  defaultDestination: { host: '', port: 11112, calledAE: 'PACS' },
  quietSeconds: 15,
  receiver: {
    engine: 'lean',
    workers: 0,
    maxPduLength: 131072,
    fsync: false,
    idleTimeoutSeconds: 60,
    maxAssociations: 64,
    maxAssociationsPerIP: 16,
    maxInstanceBytes: 8 * 1024 ** 3,
    allowedCallers: { aeTitles: [], ips: [] },
  },
  containers: { uid: 10001, gid: 10001, allowRoot: [], memoryMB: 4096, cpus: 2, pids: 512 },
  delivery: {
    maxAttempts: 8,
    firstRetrySeconds: 30,
    factor: 2,
    maxDelaySeconds: 1800,
    connectTimeoutSeconds: 10,
    responseTimeoutSeconds: 60,
    callingAE: 'MAGICKBOX',
    maxPduLength: 131072,
  },
  dockerRetrySeconds: 10,
  stopGraceSeconds: 30,
  statusPort: 2812,
  restart: { firstDelaySeconds: 1, factor: 2, maxDelaySeconds: 60, maxRestarts: 5, windowSeconds: 300 },
  heartbeat: { intervalSeconds: 60, timeoutSeconds: 10, failuresBeforeRestart: 2 },
  health: { intervalSeconds: 60, memoryPercent: 85, cpuPercent: 80, cpuChecks: 3, rootPercent: 85, scratchPercent: 80, webhookUrl: '' },
  admission: { reserveBytes: 5 * 1024 ** 3, reservePercent: 5 },
  retention: {
    enabled: true,
    dryRun: false,
    highWaterPercent: 90,
    lowWaterPercent: 80,
    successDays: 0,
    partialDays: 0,
    failedDays: 0,
    schedule: '*/30 * * * *',
    orphanMinutes: 60,
  },
  logs: { maxBytes: 10 * 1024 * 1024, keep: 5, maskIdentifiers: false },
  tls: { certificate: '', key: '', selfSigned: false, web: true, dicomPort: 2762, clientCA: '' },
}
