/* test_json.c: the event log's JSON writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"
#include "testutil.h"

/* End the object in j, check the line it makes, and free j. */
static void
assert_line(struct json *j, const char *want)
{
	json_end(j);
	assert_string_equal(j->out.buf, want);
	json_free(j);
}

static void
test_object(void **state)
{
	struct json j;

	(void)state;
	json_init(&j);
	json_str(&j, "event", "step_end");
	json_int(&j, "attempt", 2);
	json_num(&j, "duration", 1.5);
	json_bool(&j, "operator", true);
	json_null(&j, "exit_code");
	json_open(&j, "counts");
	json_int(&j, "ok", 3);
	json_int(&j, "failed", 0);
	json_close(&j);
	json_str(&j, "after", "x");
	assert_line(&j, "{\"event\":\"step_end\",\"attempt\":2,"
	    "\"duration\":1.500,\"operator\":true,\"exit_code\":null,"
	    "\"counts\":{\"ok\":3,\"failed\":0},\"after\":\"x\"}\n");
}

static void
test_escapes(void **state)
{
	struct json j;
	static const char raw[] = "q\"b\\n\nt\tc\x01 \xc3\xa9 bad\xff\xc3 end";

	(void)state;
	json_init(&j);
	json_strn(&j, "s", raw, sizeof raw - 1);
	assert_line(&j, "{\"s\":\"q\\\"b\\\\n\\nt\\tc\\u0001 "
	    "\xc3\xa9 bad\\ufffd\\ufffd end\"}\n");
}

static void
test_arrays_and_yaml_unsafe(void **state)
{
	struct json j;
	/* NEL (U+0085), BOM, U+FFFE: valid JSON raw, refused by libyaml. */
	static const char odd[] = "a\xc2\x85" "b\xef\xbb\xbf" "c\xef\xbf\xbe";

	(void)state;
	json_init(&j);
	json_array(&j, "seqs");
	json_item_open(&j);
	json_str(&j, "name", "a");
	json_array(&j, "steps");
	json_item_str(&j, "x");
	json_item_str(&j, "y");
	json_item_int(&j, -3);
	json_array_end(&j);
	json_close(&j);
	json_item_open(&j);
	json_close(&j);
	json_array_end(&j);
	json_strn(&j, "odd", odd, sizeof odd - 1);
	assert_line(&j, "{\"seqs\":[{\"name\":\"a\",\"steps\":"
	    "[\"x\",\"y\",-3]},{}],\"odd\":\"a\\u0085b\\ufeffc\\ufffe\"}\n");
}

TU_MAIN(
	cmocka_unit_test(test_object),
	cmocka_unit_test(test_escapes),
	cmocka_unit_test(test_arrays_and_yaml_unsafe),
)
