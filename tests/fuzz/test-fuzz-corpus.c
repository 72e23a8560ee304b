/* test-fuzz-corpus.c — every fuzz target over its seed corpus and every
 * crash it ever found, in the ordinary build and the ordinary suite
 *
 * Built once per target (MILK_FUZZ_TARGET names it), linked with that
 * target's fuzz-<target>.c.  One test case per file of
 * tests/fuzz/corpus/<target>/ and tests/fuzz/regressions/<target>/.
 *
 * Copyright 2026 The Milk Diary authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "milk-fuzz.h"

#ifndef MILK_FUZZ_TARGET
#error "MILK_FUZZ_TARGET must name the target"
#endif

static void
run_file (gconstpointer data)
{
  const char *path = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  /* A copy of exactly the file's size, so that AddressSanitizer (when the
   * build has it) sees any read past the input. */
  {
    g_autofree guint8 *copy = g_memdup2 (contents, length);

    g_assert_cmpint (milk_fuzz_one_input (copy, length), ==, 0);
  }
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static guint
add_dir (const char *kind)
{
  g_autofree char *dir = g_test_build_filename (G_TEST_DIST, "fuzz", kind, MILK_FUZZ_TARGET, NULL);
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (handle == NULL)
    return 0;
  while ((name = g_dir_read_name (handle)) != NULL)
    if (name[0] != '.' && !g_str_has_suffix (name, ".md"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      const char *file = g_ptr_array_index (names, i);
      g_autofree char *test_path = g_strdup_printf ("/fuzz/%s/%s/%s", MILK_FUZZ_TARGET, kind, file);

      g_test_add_data_func_full (test_path, g_build_filename (dir, file, NULL), run_file, g_free);
    }
  return names->len;
}

int
main (int argc, char **argv)
{
  guint n;

  g_test_init (&argc, &argv, NULL);
  milk_fuzz_quiet_logs ();
  n = add_dir ("corpus");
  n += add_dir ("regressions");
  g_assert_cmpuint (n, >, 0);
  return g_test_run ();
}
