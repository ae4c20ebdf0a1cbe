'use strict'
// The native binding (one copy per process), loaded lazily so the store
// modules can be required before the addon is built in a dev checkout.
module.exports = require('../index.js')
