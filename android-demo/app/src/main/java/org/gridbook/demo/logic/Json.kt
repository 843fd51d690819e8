package org.gridbook.demo.logic

/**
 * A small JSON reader for the core's GeoJSON (the logic is plain Kotlin,
 * compiled without Android's org.json): objects as maps, arrays as lists,
 * numbers as Double, strings, booleans and null.
 */
object Json {
    fun parse(text: String): Any? {
        val reader = Reader(text)
        val value = reader.value()
        reader.skipSpace()
        require(reader.at == text.length) { "trailing characters in JSON" }
        return value
    }

    private class Reader(val s: String) {
        var at = 0

        fun skipSpace() {
            while (at < s.length && s[at].isWhitespace()) at++
        }

        fun value(): Any? {
            skipSpace()
            require(at < s.length) { "unexpected end of JSON" }
            return when (s[at]) {
                '{' -> obj()
                '[' -> array()
                '"' -> string()
                't' -> word("true", true)
                'f' -> word("false", false)
                'n' -> word("null", null)
                else -> number()
            }
        }

        private fun word(w: String, v: Any?): Any? {
            require(s.startsWith(w, at)) { "bad JSON literal" }
            at += w.length
            return v
        }

        private fun number(): Double {
            val start = at
            while (at < s.length && (s[at].isDigit() || s[at] in "+-.eE")) at++
            return s.substring(start, at).toDouble()
        }

        private fun string(): String {
            val out = StringBuilder()
            at++ // "
            while (true) {
                require(at < s.length) { "unterminated JSON string" }
                val c = s[at++]
                when (c) {
                    '"' -> return out.toString()
                    '\\' -> {
                        val e = s[at++]
                        when (e) {
                            'n' -> out.append('\n')
                            't' -> out.append('\t')
                            'r' -> out.append('\r')
                            'b' -> out.append('\b')
                            'f' -> out.append('\u000C')
                            'u' -> {
                                out.append(s.substring(at, at + 4).toInt(16).toChar())
                                at += 4
                            }
                            else -> out.append(e)
                        }
                    }
                    else -> out.append(c)
                }
            }
        }

        private fun array(): List<Any?> {
            val out = mutableListOf<Any?>()
            at++ // [
            skipSpace()
            if (s[at] == ']') return out.also { at++ }
            while (true) {
                out += value()
                skipSpace()
                when (s[at++]) {
                    ',' -> continue
                    ']' -> return out
                    else -> throw IllegalArgumentException("bad JSON array")
                }
            }
        }

        private fun obj(): Map<String, Any?> {
            val out = LinkedHashMap<String, Any?>()
            at++ // {
            skipSpace()
            if (s[at] == '}') return out.also { at++ }
            while (true) {
                skipSpace()
                val key = string()
                skipSpace()
                require(s[at++] == ':') { "bad JSON object" }
                out[key] = value()
                skipSpace()
                when (s[at++]) {
                    ',' -> continue
                    '}' -> return out
                    else -> throw IllegalArgumentException("bad JSON object")
                }
            }
        }
    }
}
