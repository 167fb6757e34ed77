/* test_say.c: messages fitted to a small terminal keep the error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "say.h"
#include "testutil.h"

#define TYPO "typo.yaml:4:26: error: unknown key 'retires' in step " \
	"(valid: name, run, remote, upload, download, to, sleep, wait_for)\n"

static void
check_fit(const char *text, size_t cols, size_t rows, const char *want)
{
	char *got = say_fit(text, cols, rows);

	assert_string_equal(got, want);
	free(got);
}

/* As it is: a terminal big enough, or none. */
static void
test_fits(void **state)
{
	(void)state;
	check_fit(TYPO, 200, 5, TYPO);
	check_fit(TYPO, 0, 0, TYPO);
	check_fit(TYPO, 20, 8, TYPO);   /* seven rows and the prompt's */
}

/* 20x5: the error whole, the hint cut to the rows left. */
static void
test_small(void **state)
{
	(void)state;
	check_fit(TYPO, 20, 5,
	    "typo.yaml:4:26: error: unknown key 'retires' in step\n"
	    "(valid: name, run...\n");
	/* No room for the hint: the error alone, cut short when it must
	 * be. */
	check_fit(TYPO, 20, 4,
	    "typo.yaml:4:26: error: unknown key 'retires' in step\n");
	check_fit(TYPO, 20, 3,
	    "typo.yaml:4:26: error: unknown key 'r...\n");
	/* "; " ends the first clause too, and a line after the first
	 * comes when there is room. */
	check_fit("drove: no run 'x'; try this\nand that\n", 10, 5,
	    "drove: no run 'x'; try this\nand that\n");
	check_fit("drove: no run 'x'; try this\nand that\n", 10, 4,
	    "drove: no run 'x'\ntry this\n");
	check_fit("drove: no run 'x'; try this\nand that\n", 10, 3,
	    "drove: no run 'x'\n");
	/* Characters, not bytes, are columns. */
	check_fit("é é é é é é é é (hint)\n", 4, 3, "é é é...\n");
}

TU_MAIN(
	cmocka_unit_test(test_fits),
	cmocka_unit_test(test_small),
)
