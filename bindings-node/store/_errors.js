'use strict'
// The store layer's coded errors, built by core (`regcore::StoreError`
// through the binding's store* factories): codes, kinds, params and both
// messages are core's. The driver's error, if any, is attached as `cause`
// (never in `params`: no connection string or secret goes there).
const rc = require('./_native')

function withCause(err, cause) {
  if (cause !== undefined) {
    Object.defineProperty(err, 'cause', { value: cause, enumerable: false, configurable: true, writable: true })
  }
  return err
}

module.exports = {
  contended: (operation, attempts) => rc.storeContended(operation, attempts),
  unavailable: (store, operation, cause) => withCause(rc.storeUnavailable(store, operation), cause),
  driverMissing: (driver, pkg, cause) => withCause(rc.storeDriverMissing(driver, pkg), cause),
  unsupported: (store, feature) => rc.storeUnsupported(store, feature),
  transactionOpen: (store) => rc.storeTransactionOpen(store),
  schemaMismatch: (found, expected, cause) => withCause(rc.storeSchemaMismatch(found, expected), cause),
  checkPrefix: (prefix) => {
    if (typeof prefix !== 'string') throw rc.storeInvalidPrefix(String(prefix))
    rc.checkStorePrefix(prefix)
    return prefix
  },
  isRegcoreError: (e) => e instanceof Error && e.name === 'RegcoreError',
}
