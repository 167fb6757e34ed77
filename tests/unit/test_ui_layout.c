/* test_ui_layout.c: grid, list and zoom arrangements at many sizes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include <cmocka.h>

#include "layout.h"
#include "testutil.h"

static bool
inside(const struct layout_rect *r, int w, int h)
{
	return r->x >= 0 && r->y >= 0 && r->w >= 0 && r->h >= 0 &&
	    r->x + r->w <= w && r->y + r->h <= h;
}

static bool
overlap(const struct layout_rect *a, const struct layout_rect *b)
{
	return a->w > 0 && a->h > 0 && b->w > 0 && b->h > 0 &&
	    a->x < b->x + b->w && b->x < a->x + a->w &&
	    a->y < b->y + b->h && b->y < a->y + a->h;
}

static void
test_grid_2x2(void **state)
{
	struct layout lo;

	(void)state;
	layout_init(&lo);
	layout_compute(&lo, 120, 40, 4, LAYOUT_GRID, false, 0, 3);
	assert_int_equal(lo.kind, LAYOUT_GRID);
	assert_int_equal(lo.grid_cols, 2);
	assert_int_equal(lo.grid_rows, 2);
	/* 120 = 60 + 1 separator + 59; 39 rows = 20 + 19. */
	assert_int_equal(lo.cells[0].w + lo.cells[1].w + 1, 120);
	assert_int_equal(lo.cells[0].h + lo.cells[2].h, 39);
	assert_int_equal(lo.cells[1].x, lo.cells[0].w + 1);
	assert_int_equal(lo.status.y, 39);
	assert_int_equal(lo.status.h, 1);
	assert_int_equal(lo.status.w, 120);
	layout_free(&lo);
}

static void
test_grid_shapes(void **state)
{
	struct layout lo;

	(void)state;
	layout_init(&lo);
	/* One sequence: the whole screen, even tiny. */
	layout_compute(&lo, 20, 5, 1, LAYOUT_GRID, false, 0, 1);
	assert_int_equal(lo.kind, LAYOUT_GRID);
	assert_int_equal(lo.cells[0].w, 20);
	assert_int_equal(lo.cells[0].h, 4);
	/* Two on a wide screen: side by side. */
	layout_compute(&lo, 200, 50, 2, LAYOUT_GRID, false, 0, 1);
	assert_int_equal(lo.grid_cols, 2);
	/* Three: the short last row gets the full width. */
	layout_compute(&lo, 120, 40, 3, LAYOUT_GRID, false, 0, 1);
	assert_int_equal(lo.grid_cols, 2);
	assert_int_equal(lo.cells[2].w, 120);
	assert_int_equal(lo.cells[2].x, 0);
	/* Twenty on 120x40: readable panes still fit. */
	layout_compute(&lo, 120, 40, 20, LAYOUT_GRID, false, 0, 1);
	assert_int_equal(lo.kind, LAYOUT_GRID);
	for (size_t i = 0; i < 20; i++) {
		assert_true(lo.cells[i].w >= LAYOUT_MIN_W);
		assert_true(lo.cells[i].h >= LAYOUT_MIN_H);
	}
	layout_free(&lo);
}

static void
test_fallback_to_list(void **state)
{
	struct layout lo;

	(void)state;
	layout_init(&lo);
	layout_compute(&lo, 80, 24, 20, LAYOUT_GRID, false, 0, 1);
	assert_int_equal(lo.kind, LAYOUT_LIST);
	assert_true(lo.list_beside);
	assert_int_equal(lo.list.h, 23);
	assert_int_equal(lo.title.h, 1);
	assert_true(lo.body.h == 22);
	assert_false(overlap(&lo.list, &lo.title));
	assert_false(overlap(&lo.list, &lo.body));
	/* Narrow: the list goes above. */
	layout_compute(&lo, 60, 24, 20, LAYOUT_GRID, false, 0, 1);
	assert_int_equal(lo.kind, LAYOUT_LIST);
	assert_false(lo.list_beside);
	assert_int_equal(lo.title.y, lo.list.h);
	/* Asked for. */
	layout_compute(&lo, 200, 50, 2, LAYOUT_LIST, false, 0, 1);
	assert_int_equal(lo.kind, LAYOUT_LIST);
	layout_free(&lo);
}

static void
test_list_scrolls_to_focus(void **state)
{
	struct layout lo;

	(void)state;
	layout_init(&lo);
	layout_compute(&lo, 40, 10, 20, LAYOUT_LIST, false, 0, 1);
	assert_int_equal(lo.list_first, 0);
	layout_compute(&lo, 40, 10, 20, LAYOUT_LIST, false, 15, 1);
	assert_true(lo.list_first <= 15);
	assert_true(15 < lo.list_first + (size_t)lo.list.h);
	size_t first = lo.list_first;
	/* Moving within the visible lines does not scroll. */
	layout_compute(&lo, 40, 10, 20, LAYOUT_LIST, false, 14, 1);
	assert_int_equal(lo.list_first, first);
	layout_compute(&lo, 40, 10, 20, LAYOUT_LIST, false, 0, 1);
	assert_int_equal(lo.list_first, 0);
	layout_free(&lo);
}

static void
test_zoom(void **state)
{
	struct layout lo;

	(void)state;
	layout_init(&lo);
	layout_compute(&lo, 120, 40, 4, LAYOUT_GRID, true, 2, 7);
	assert_int_equal(lo.kind, LAYOUT_ZOOM);
	assert_int_equal(lo.focus, 2);
	assert_int_equal(lo.title.y, 0);
	assert_int_equal(lo.steps.y, 1);
	assert_int_equal(lo.steps.h, 7);
	assert_int_equal(lo.body.y, 8);
	assert_int_equal(lo.body.h, 31);
	/* Many steps: at most a third. */
	layout_compute(&lo, 120, 40, 4, LAYOUT_GRID, true, 2, 100);
	assert_int_equal(lo.steps.h, 38 / 3);
	/* Tiny: no step table, still an output line. */
	layout_compute(&lo, 20, 3, 4, LAYOUT_GRID, true, 2, 100);
	assert_int_equal(lo.steps.h, 0);
	assert_int_equal(lo.body.h, 1);
	layout_free(&lo);
}

/* Every size from 1x1 to 130x45 and 0..25 sequences: everything inside
 * the screen, nothing overlapping, the focus always visible. */
static void
test_all_sizes(void **state)
{
	struct layout lo;

	(void)state;
	layout_init(&lo);
	for (int w = 0; w <= 130; w += (w < 30 ? 1 : 7))
		for (int h = 0; h <= 45; h += (h < 12 ? 1 : 5))
			for (size_t n = 0; n <= 25; n += (n < 5 ? 1 : 4))
				for (int mode = 0; mode < 3; mode++) {
					size_t focus = n ? n - 1 : 0;
					layout_compute(&lo, w, h, n,
					    mode == 1 ? LAYOUT_LIST :
					    LAYOUT_GRID, mode == 2, focus, 5);
					assert_true(inside(&lo.status, w, h));
					if (n == 0 || h < 2 || w == 0)
						continue;
					if (lo.kind == LAYOUT_GRID) {
						for (size_t i = 0; i < n; i++) {
							assert_true(inside(&lo.cells[i], w, h - 1));
							assert_true(lo.cells[i].h >= 1);
							for (size_t k = 0; k < i; k++)
								assert_false(overlap(&lo.cells[i], &lo.cells[k]));
						}
						continue;
					}
					assert_true(inside(&lo.title, w, h - 1));
					assert_true(inside(&lo.body, w, h - 1));
					assert_true(inside(&lo.steps, w, h - 1));
					assert_int_equal(lo.title.h, 1);
					if (lo.kind == LAYOUT_LIST) {
						assert_true(inside(&lo.list, w, h - 1));
						assert_false(overlap(&lo.list, &lo.body));
						if (lo.list.h == 0)
							continue;
						assert_true(lo.list_first <= focus);
						assert_true(focus < lo.list_first + (size_t)lo.list.h);
					}
				}
	layout_free(&lo);
}

static void
test_neighbor(void **state)
{
	struct layout lo;

	(void)state;
	layout_init(&lo);
	/* 2x2 grid: 0 1 / 2 3 */
	layout_compute(&lo, 120, 40, 4, LAYOUT_GRID, false, 0, 1);
	assert_int_equal(layout_neighbor(&lo, 0, LAYOUT_RIGHT), 1);
	assert_int_equal(layout_neighbor(&lo, 0, LAYOUT_DOWN), 2);
	assert_int_equal(layout_neighbor(&lo, 3, LAYOUT_UP), 1);
	assert_int_equal(layout_neighbor(&lo, 3, LAYOUT_LEFT), 2);
	assert_int_equal(layout_neighbor(&lo, 0, LAYOUT_LEFT), 0);
	assert_int_equal(layout_neighbor(&lo, 0, LAYOUT_UP), 0);
	/* 3: the wide bottom pane is below both. */
	layout_compute(&lo, 120, 40, 3, LAYOUT_GRID, false, 0, 1);
	assert_int_equal(layout_neighbor(&lo, 1, LAYOUT_DOWN), 2);
	assert_int_equal(layout_neighbor(&lo, 2, LAYOUT_UP), 0);
	/* List: previous and next. */
	layout_compute(&lo, 120, 40, 4, LAYOUT_LIST, false, 1, 1);
	assert_int_equal(layout_neighbor(&lo, 1, LAYOUT_DOWN), 2);
	assert_int_equal(layout_neighbor(&lo, 1, LAYOUT_UP), 0);
	assert_int_equal(layout_neighbor(&lo, 3, LAYOUT_DOWN), 3);
	layout_free(&lo);
}

static void
test_hit(void **state)
{
	struct layout lo;

	(void)state;
	layout_init(&lo);
	layout_compute(&lo, 120, 40, 4, LAYOUT_GRID, false, 0, 1);
	assert_int_equal(layout_hit(&lo, 0, 0), 0);
	assert_int_equal(layout_hit(&lo, 119, 0), 1);
	assert_int_equal(layout_hit(&lo, 119, 38), 3);
	assert_int_equal(layout_hit(&lo, lo.cells[0].w, 5), 4); /* separator */
	assert_int_equal(layout_hit(&lo, 5, 39), 4);            /* status */
	layout_compute(&lo, 120, 40, 4, LAYOUT_LIST, false, 1, 1);
	assert_int_equal(layout_hit(&lo, 0, 2), 2);
	assert_int_equal(layout_hit(&lo, 0, 10), 4);
	assert_int_equal(layout_hit(&lo, 100, 10), 1);
	layout_free(&lo);
}

TU_MAIN(
	cmocka_unit_test(test_grid_2x2),
	cmocka_unit_test(test_grid_shapes),
	cmocka_unit_test(test_fallback_to_list),
	cmocka_unit_test(test_list_scrolls_to_focus),
	cmocka_unit_test(test_zoom),
	cmocka_unit_test(test_all_sizes),
	cmocka_unit_test(test_neighbor),
	cmocka_unit_test(test_hit),
)
