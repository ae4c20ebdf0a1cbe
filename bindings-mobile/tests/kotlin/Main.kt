// Entry point of the Kotlin boundary tests (run by bindings-mobile/test.sh).

fun main() {
    // A group that cannot even set up (e.g. a missing vector file) counts as
    // one failed test instead of silently skipping the rest.
    Harness.test("identifiers") { identifierTests() }
    Harness.test("keys") { keysTests() }
    Harness.test("errors") { errorTests() }
    Harness.finish()
}
