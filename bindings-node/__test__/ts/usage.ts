// TypeScript usage example, compiled with `tsc --noEmit` against index.d.ts.
// It is the reference for how a web backend calls regcore; it is type-checked
// (not executed) so the declarations stay honest.
import * as regcore from '../..'
import type { RegcoreError } from '../..'

function isRegcoreError(e: unknown): e is RegcoreError {
  return e instanceof Error && typeof (e as RegcoreError).code === 'string'
}

export function parseMpr(input: string): string {
  try {
    const id: regcore.MprId = regcore.MprId.parse(input)
    const compact: string = id.compact
    return `${id.toString()} (${compact})`
  } catch (e) {
    if (isRegcoreError(e)) {
      const min: string | undefined = e.params['min']
      return `${e.code}: ${e.messageJa} ${min ?? ''}`
    }
    throw e
  }
}

export const email: regcore.EmailAddress = regcore.EmailAddress.parse('taro@example.jp')
export const key: string = email.comparisonKey
export const same: boolean = regcore.GatewayId.parse('01AB12345678').equals(regcore.GatewayId.parse('01ab-1234-5678'))
