// Entry point of the Kotlin boundary tests (run by bindings-mobile/test.sh).

fun main() {
    // A group that cannot even set up (e.g. a missing vector file) counts as
    // one failed test instead of silently skipping the rest.
    Harness.group("identifiers") { identifierTests() }
    Harness.group("keys") { keysTests() }
    Harness.group("policy") { policyTests() }
    Harness.group("lockout") { lockoutTests() }
    Harness.group("codes") { codesTests() }
    Harness.group("errors") { errorTests(); kindTests(); debugFormTests() }
    Harness.group("numbers") { numberTests() }
    Harness.finish()
}
