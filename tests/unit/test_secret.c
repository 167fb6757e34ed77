/* test_secret.c: --secret values never reach a JSON line of the record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"
#include "secret.h"
#include "testutil.h"

static void
test_redact(void **state)
{
	size_t n;
	char *s;

	(void)state;
	assert_false(secret_any());
	secret_add("");
	assert_false(secret_any());
	secret_add("hunter2");
	secret_add("hunter2-long");   /* contains the other: hidden whole */
	assert_true(secret_any());
	assert_null(secret_redact("nothing here", 12, &n));
	s = secret_redact("a hunter2 b hunter2-long c hunter", 33, &n);
	assert_string_equal(s, "a *** b *** c hunter");
	assert_int_equal(n, strlen(s));
	free(s);
}

static void
test_json(void **state)
{
	struct json j;

	(void)state;
	secret_add("t0k\"en");
	json_init(&j);
	json_str(&j, "run", "curl -H 'X: t0k\"en' https://x");
	json_array(&j, "steps");
	json_item_str(&j, "login with t0k\"en");
	json_array_end(&j);
	json_end(&j);
	assert_null(strstr(j.out.buf, "t0k"));
	assert_non_null(strstr(j.out.buf, "\"run\":\"curl -H 'X: ***' "
	    "https://x\""));
	assert_non_null(strstr(j.out.buf, "\"login with ***\""));
	json_free(&j);
}

TU_MAIN(
	cmocka_unit_test(test_redact),
	cmocka_unit_test(test_json),
)
