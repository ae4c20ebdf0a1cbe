// Entry point of the Kotlin boundary tests (run by bindings-mobile/test.sh).

fun main() {
    identifierTests()
    errorTests()
    Harness.finish()
}
