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
  /** Largest P-DATA PDU we accept (bytes); told to the sender at association. */
  maxPduLength: number
  /** fsync every instance before answering Success (survives power loss, not only a crash). */
  fsync: boolean
  /** An association idle this long is aborted (seconds). */
  idleTimeoutSeconds: number
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

export interface Settings {
  /** The box's own AE title: answers C-ECHO, takes no storage. */
  aet: string
  dicomPort: number
  webPort: number
  defaultDestination: DefaultDestination
  /** Seconds without a new instance after which a study is complete (streams may override). */
  quietSeconds: number
  receiver: ReceiverSettings
  delivery: DeliverySettings
  /** How often a job waiting for the Docker engine checks again (seconds). */
  dockerRetrySeconds: number
  /** On stop, how long running jobs may go on before they are stopped (they run again at the next start). */
  stopGraceSeconds: number
}

export const DEFAULT_SETTINGS: Settings = {
  aet: 'MAGICKBOX',
  dicomPort: 1234,
  webPort: 2813,
  defaultDestination: { host: '', port: 11112, calledAE: 'PACS' },
  quietSeconds: 15,
  receiver: { maxPduLength: 131072, fsync: false, idleTimeoutSeconds: 60 },
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
}
