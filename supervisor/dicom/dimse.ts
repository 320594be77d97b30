/**
 * @module dimse
 * The only importer of dcmjs-dimse (a CommonJS package: default import only, then re-export what
 * the box uses). Its logger is routed into ours; everything else of the library stays behind this
 * file and the receiver's StoreScp.
 */
import dcmjsDimse from 'dcmjs-dimse'
import type { Logger } from '../logging/logger.js'

export const { Scp, Implementation, constants, responses, log: dimseLog } = dcmjsDimse
export type Association = InstanceType<typeof dcmjsDimse.association.Association>
export type PresentationContext = InstanceType<typeof dcmjsDimse.association.PresentationContext>
export type CStoreRequest = InstanceType<typeof dcmjsDimse.requests.CStoreRequest>
export type CEchoRequest = InstanceType<typeof dcmjsDimse.requests.CEchoRequest>
export type CStoreResponse = InstanceType<typeof dcmjsDimse.responses.CStoreResponse>
export type CEchoResponse = InstanceType<typeof dcmjsDimse.responses.CEchoResponse>

// Send the library's warnings and errors to our log instead of the console (it logs every PDU at info).
export function routeDimseLogTo(logger: Logger): void {
  const levels = ['trace', 'debug', 'info', 'warn', 'error'] as const
  dimseLog.methodFactory = (methodName: string) => {
    const level = levels.indexOf(methodName as (typeof levels)[number])
    return (...args: unknown[]) => {
      const text = `dcmjs-dimse: ${args.map(String).join(' ')}`
      if (level >= 4) logger.warn(text)
      else if (level === 3) logger.info(text)
    }
  }
  dimseLog.setLevel('warn')
  dimseLog.rebuild?.()
}
