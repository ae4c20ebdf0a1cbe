'use strict'
// The coded errors an executor throws itself, built by the store protocol's
// `StoreError` through the binding's store* factories: codes, kinds, params
// and both messages are Rust's. Everything else (contended, unavailable
// mid-operation, outcome unknown, schema mismatch, invalid keys, …) comes
// from the protocol. The driver's error, if any, is attached as `cause`
// (never in `params`: no connection string or secret goes there).
const rc = require('./_native')

function withCause(err, cause) {
  if (cause !== undefined && err.cause === undefined) {
    Object.defineProperty(err, 'cause', { value: cause, enumerable: false, configurable: true, writable: true })
  }
  return err
}

module.exports = {
  withCause,
  unavailable: (store, operation, cause) => withCause(rc.storeUnavailable(store, operation), cause),
  driverMissing: (driver, pkg, cause) => withCause(rc.storeDriverMissing(driver, pkg), cause),
  transactionOpen: (store) => rc.storeTransactionOpen(store),
  invalidClient: (store, expected) => rc.storeInvalidClient(store, expected),
  invalidOption: (name, expected) => rc.storeInvalidOption(name, expected),
  invalidAdmission: () => rc.storeInvalidAdmission(),
  isRegcoreError: (e) => e instanceof Error && e.name === 'RegcoreError',
}
