// A minimal test harness for the JVM run: no JUnit/Gradle on the CI machine,
// so checks are plain functions and any failure exits non-zero.

import java.io.File
import kotlin.system.exitProcess

class CheckFailed(message: String) : AssertionError(message)

object Harness {
    private val failures = mutableListOf<String>()
    private var passed = 0
    private var checks = 0

    /** Run one named test; an exception or failed check marks it failed. */
    fun test(name: String, body: () -> Unit) {
        try {
            body()
            passed++
            println("ok   $name")
        } catch (e: Throwable) {
            failures += "$name: $e"
            println("FAIL $name: $e")
        }
    }

    /** Run a group of tests; a failure outside any test counts as one failure. */
    fun group(name: String, body: () -> Unit) {
        try {
            body()
        } catch (e: Throwable) {
            failures += "$name (setup): $e"
            println("FAIL $name (setup): $e")
        }
    }

    fun count() { checks++ }

    /** Print a summary and exit 1 when anything failed or nothing ran. */
    fun finish() {
        println("\n$passed passed, ${failures.size} failed, $checks checks")
        if (failures.isNotEmpty() || passed == 0) {
            failures.forEach { println("  failed: $it") }
            exitProcess(1)
        }
    }
}

fun check(condition: Boolean, message: () -> String = { "check failed" }) {
    Harness.count()
    if (!condition) throw CheckFailed(message())
}

fun <T> assertEq(expected: T, actual: T, what: String = "") {
    Harness.count()
    if (expected != actual) throw CheckFailed("$what expected <$expected> but was <$actual>")
}

/** Run [body], which must throw [E]; returns the exception for further checks. */
inline fun <reified E : Throwable> assertThrows(body: () -> Unit): E {
    Harness.count()
    try {
        body()
    } catch (e: Throwable) {
        if (e is E) return e
        throw CheckFailed("expected ${E::class.simpleName} but got $e")
    }
    throw CheckFailed("expected ${E::class.simpleName} but nothing was thrown")
}

fun hex(bytes: ByteArray): String = bytes.joinToString("") { "%02x".format(it) }

fun unhex(s: String): ByteArray {
    require(s.length % 2 == 0) { "odd hex length" }
    return ByteArray(s.length / 2) { i -> s.substring(2 * i, 2 * i + 2).toInt(16).toByte() }
}

/** Directory of the shared golden vectors (core/tests/vectors). */
fun vectorsDir(): File = File(System.getProperty("regcore.vectors") ?: "core/tests/vectors")

/** Parse a golden vector file with the tiny reader below. */
fun loadVectors(name: String): Any? {
    val file = File(vectorsDir(), name)
    check(file.isFile) { "missing vector file $file" }
    return Json.parse(file.readText())
}

/**
 * A small strict JSON reader (objects -> Map, arrays -> List, numbers -> Long
 * or Double), enough for the golden vector files.
 */
class Json private constructor(private val s: String) {
    private var i = 0

    companion object {
        fun parse(text: String): Any? {
            val p = Json(text)
            val v = p.value()
            p.ws()
            if (p.i != text.length) error("trailing data at ${p.i}")
            return v
        }
    }

    private fun ws() { while (i < s.length && s[i].isWhitespace()) i++ }

    private fun value(): Any? {
        ws()
        if (i >= s.length) error("unexpected end")
        return when (s[i]) {
            '{' -> obj()
            '[' -> arr()
            '"' -> str()
            't' -> lit("true", true)
            'f' -> lit("false", false)
            'n' -> lit("null", null)
            else -> num()
        }
    }

    private fun lit(word: String, v: Any?): Any? {
        if (!s.startsWith(word, i)) error("bad literal at $i")
        i += word.length
        return v
    }

    private fun obj(): Map<String, Any?> {
        val m = LinkedHashMap<String, Any?>()
        i++
        ws()
        if (s[i] == '}') { i++; return m }
        while (true) {
            ws()
            val k = str()
            ws()
            if (s[i] != ':') error("expected : at $i")
            i++
            m[k] = value()
            ws()
            when (s[i++]) {
                ',' -> continue
                '}' -> return m
                else -> error("expected , or } at ${i - 1}")
            }
        }
    }

    private fun arr(): List<Any?> {
        val l = ArrayList<Any?>()
        i++
        ws()
        if (s[i] == ']') { i++; return l }
        while (true) {
            l += value()
            ws()
            when (s[i++]) {
                ',' -> continue
                ']' -> return l
                else -> error("expected , or ] at ${i - 1}")
            }
        }
    }

    private fun str(): String {
        if (s[i] != '"') error("expected string at $i")
        i++
        val b = StringBuilder()
        while (true) {
            val c = s[i++]
            when (c) {
                '"' -> return b.toString()
                '\\' -> {
                    when (val e = s[i++]) {
                        '"', '\\', '/' -> b.append(e)
                        'b' -> b.append('\b')
                        'f' -> b.append('\u000C')
                        'n' -> b.append('\n')
                        'r' -> b.append('\r')
                        't' -> b.append('\t')
                        'u' -> { b.append(s.substring(i, i + 4).toInt(16).toChar()); i += 4 }
                        else -> error("bad escape at $i")
                    }
                }
                else -> b.append(c)
            }
        }
    }

    private fun num(): Any {
        val start = i
        while (i < s.length && (s[i].isDigit() || s[i] in "+-.eE")) i++
        val t = s.substring(start, i)
        if (t.isEmpty()) error("bad value at $start")
        return if (t.any { it in ".eE" }) t.toDouble() else t.toLong()
    }
}

@Suppress("UNCHECKED_CAST")
fun Any?.obj(): Map<String, Any?> = this as Map<String, Any?>

@Suppress("UNCHECKED_CAST")
fun Any?.list(): List<Any?> = this as List<Any?>

fun Map<String, Any?>.str(key: String): String = this[key] as? String ?: throw CheckFailed("vector field $key missing")
