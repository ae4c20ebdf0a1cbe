'use strict'
// Manual benchmark (not run by the tests). Build the addon in release mode
// first (`npm --prefix bindings-node run build`), then:
//
//   cd benches/node && npm install && node bench.js [--quick]
//
// 1. UPS key codes for a factory batch: regcore's batch call (one boundary
//    crossing) against the same construction written with node:crypto
//    createHmac (docs/algorithms.md §2.2–2.3), checked equal first.
// 2. Argon2id at OWASP parameters (m=19456 KiB, t=2, p=1): regcore against
//    @node-rs/argon2, sequential latency and concurrent throughput.
// Results go to docs/node.md by hand.

const crypto = require('node:crypto')
const { execFileSync } = require('node:child_process')
const path = require('node:path')
const os = require('node:os')
const rc = require('regcore')
const nodeRsArgon2 = require('@node-rs/argon2')

const quick = process.argv.includes('--quick')
const BATCH = quick ? 20_000 : 100_000
const ROUNDS = quick ? 3 : 7

function median(values) {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

/** Median wall time in ms of `rounds` runs of fn (after one warm-up). */
function timeSync(fn, rounds = ROUNDS) {
  fn()
  const times = []
  for (let i = 0; i < rounds; i++) {
    const t = process.hrtime.bigint()
    fn()
    times.push(Number(process.hrtime.bigint() - t) / 1e6)
  }
  return median(times)
}

async function timeAsync(fn, rounds = ROUNDS) {
  await fn()
  const times = []
  for (let i = 0; i < rounds; i++) {
    const t = process.hrtime.bigint()
    await fn()
    times.push(Number(process.hrtime.bigint() - t) / 1e6)
  }
  return median(times)
}

// --- 1. key codes -----------------------------------------------------------

const masterBytes = crypto.createHash('sha256').update('regcore bench master').digest()
const master = new rc.MasterSecret(1, masterBytes)
const serials = Array.from({ length: BATCH }, (_, i) => `UPS${String(i).padStart(9, '0')}`)

const DEVICE_KEY_LABEL = Buffer.from('regcore/v1/device-key')
const KEYCODE_LABEL = Buffer.from('keycode')

/** The same construction with node:crypto (serials already canonical). */
function keyCodesNodeCrypto(list) {
  const out = new Uint16Array(list.length)
  for (let i = 0; i < list.length; i++) {
    const id = Buffer.from(list[i], 'ascii')
    const kDev = crypto
      .createHmac('sha256', masterBytes)
      .update(DEVICE_KEY_LABEL)
      .update(Buffer.from([0x01, id.length]))
      .update(id)
      .digest()
    const mac = crypto.createHmac('sha256', kDev).update(KEYCODE_LABEL).digest()
    out[i] = ((mac[0] << 8) | mac[1]) & 0x3ff
  }
  return out
}

/** Rust's median ns per item for the same batch (rust-baseline/, release). */
const baselineExe = path.join(__dirname, 'rust-baseline', 'target', 'release', 'regcore-node-bench-baseline')
function buildBaseline() {
  const manifest = path.join(__dirname, 'rust-baseline', 'Cargo.toml')
  // --locked: the committed Cargo.lock is used as it is, never rewritten (the
  // dist step checks it is current: scripts/dist.sh).
  execFileSync('cargo', ['build', '--quiet', '--release', '--locked', '--manifest-path', manifest], { stdio: 'inherit' })
}

function rustBaseline() {
  const exe = baselineExe
  const out = execFileSync(exe, [String(ROUNDS)], { input: `${masterBytes.toString('hex')}\n${serials.join('\n')}\n` })
  const [ns, checksum] = out.toString().trim().split(' ').map(Number)
  return { ns, checksum }
}

function benchKeyCodes() {
  const fromRegcore = master.keyCodes(serials)
  const fromNode = keyCodesNodeCrypto(serials)
  for (let i = 0; i < serials.length; i++) {
    if (fromRegcore[i] !== fromNode[i]) throw new Error(`mismatch at ${serials[i]}`)
  }
  const lines = serials.join('\n')
  if (master.keyCodesFromLines(lines).some((c, i) => c !== fromRegcore[i])) throw new Error('lines mismatch')
  const single = serials.slice(0, 2000)
  // The machine may be shared: alternate the measurements and take medians.
  const runs = { rust: [], batch: [], lines: [], node: [], single: [] }
  for (let r = 0; r < 3; r++) {
    const rust = rustBaseline()
    if (rust.checksum !== fromRegcore.reduce((a, c) => a + c, 0)) throw new Error('rust baseline mismatch')
    runs.rust.push(rust.ns)
    runs.batch.push(timeSync(() => master.keyCodes(serials)))
    runs.lines.push(timeSync(() => master.keyCodesFromLines(lines)))
    runs.node.push(timeSync(() => keyCodesNodeCrypto(serials)))
    runs.single.push(timeSync(() => {
      for (const s of single) master.keyCode(s).value
    }))
  }
  const rust = { ns: median(runs.rust) }
  const batchMs = median(runs.batch)
  const linesMs = median(runs.lines)
  const nodeMs = median(runs.node)
  const singleMs = median(runs.single)
  const perItemNs = (ms, n) => (ms * 1e6) / n
  return {
    items: serials.length,
    rustNsPerItem: rust.ns,
    regcoreBatchNsPerItem: perItemNs(batchMs, serials.length),
    regcoreLinesNsPerItem: perItemNs(linesMs, serials.length),
    regcoreSingleCallNsPerItem: perItemNs(singleMs, single.length),
    nodeCryptoNsPerItem: perItemNs(nodeMs, serials.length),
    batchVsNodeCrypto: nodeMs / batchMs,
    linesVsNodeCrypto: nodeMs / linesMs,
    batchVsRust: (rust.ns * serials.length) / 1e6 / batchMs,
    linesVsRust: (rust.ns * serials.length) / 1e6 / linesMs,
  }
}

// --- 2. Argon2id --------------------------------------------------------------

const OWASP = rc.owaspHashParams()
const nodeRsOptions = {
  algorithm: nodeRsArgon2.Algorithm.Argon2id,
  memoryCost: OWASP.memoryKib,
  timeCost: OWASP.iterations,
  parallelism: OWASP.parallelism,
  outputLen: 32,
}

async function benchArgon2() {
  const password = 'Sakura-2026!'
  const salt = crypto.randomBytes(16)
  const hashes = quick ? 5 : 20
  const concurrent = 8
  // Interoperability: each verifies the other's hash.
  const ours = await rc.hashPassword(password, { salt })
  const theirs = await nodeRsArgon2.hash(password, { ...nodeRsOptions, salt })
  if (!(await nodeRsArgon2.verify(ours, password))) throw new Error('@node-rs/argon2 rejects regcore hash')
  if (!(await rc.verifyPassword(password, theirs))) throw new Error('regcore rejects @node-rs/argon2 hash')

  // The machine may be shared and its clock drifts: every measurement below
  // alternates regcore and @node-rs/argon2 hash by hash, then takes medians.
  const lap = async (fn) => {
    const t = process.hrtime.bigint()
    await fn()
    return Number(process.hrtime.bigint() - t) / 1e6
  }
  const arms = {
    regcoreAsyncMs: () => rc.hashPassword(password),
    nodeRsAsyncMs: () => nodeRsArgon2.hash(password, nodeRsOptions),
    regcoreSyncMs: async () => rc.hashPasswordSync(password),
    nodeRsSyncMs: async () => nodeRsArgon2.hashSync(password, nodeRsOptions),
    regcoreVerifyMs: () => rc.verifyPassword(password, ours),
    nodeRsVerifyMs: () => nodeRsArgon2.verify(theirs, password),
    regcoreConcurrentMsPerHash: async () => Promise.all(Array.from({ length: concurrent }, () => rc.hashPassword(password))),
    nodeRsConcurrentMsPerHash: async () =>
      Promise.all(Array.from({ length: concurrent }, () => nodeRsArgon2.hash(password, nodeRsOptions))),
  }
  const laps = Object.fromEntries(Object.keys(arms).map((k) => [k, []]))
  for (let i = 0; i < hashes; i++) {
    for (const [name, fn] of Object.entries(arms)) laps[name].push(await lap(fn))
  }
  const result = { params: OWASP, threadpool: process.env.UV_THREADPOOL_SIZE ?? '4 (default)', hashesPerArm: hashes }
  for (const [name, values] of Object.entries(laps)) {
    result[name] = median(values) / (name.includes('Concurrent') ? concurrent : 1)
  }
  result.rustNativeMs = Number(execFileSync(baselineExe, ['argon2', String(hashes)]).toString())
  result.regcoreVsNodeRsAsync = result.nodeRsAsyncMs / result.regcoreAsyncMs
  result.regcoreVsNodeRsSync = result.nodeRsSyncMs / result.regcoreSyncMs
  result.regcoreVsNodeRsConcurrent = result.nodeRsConcurrentMsPerHash / result.regcoreConcurrentMsPerHash
  return result
}

async function main() {
  buildBaseline()
  console.log(`node ${process.version}, ${os.cpus()[0].model}, ${os.cpus().length} logical CPUs`)
  const keys = benchKeyCodes()
  console.log('key codes', JSON.stringify(keys, (k, v) => (typeof v === 'number' ? Math.round(v * 100) / 100 : v), 2))
  const argon = await benchArgon2()
  console.log('argon2id', JSON.stringify(argon, (k, v) => (typeof v === 'number' ? Math.round(v * 100) / 100 : v), 2))
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
