/* "Did you mean": the nearest candidate by edit distance (a swap of two neighbouring
 * letters counts as one edit), if it is close enough to be a plausible typo (at most a
 * third of the word, and at least 2 edits allowed). */
#include <stdlib.h>
#include <string.h>
#include "config_impl.h"

static int edit_distance(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b), w = lb + 1;
  int *d = ss_malloc((la + 1) * w * sizeof *d, NULL);
  if (!d) return 1 << 20;
  for (size_t i = 0; i <= la; i++) d[i * w] = (int)i;
  for (size_t j = 0; j <= lb; j++) d[j] = (int)j;
  for (size_t i = 1; i <= la; i++)
    for (size_t j = 1; j <= lb; j++) {
      int best = d[(i - 1) * w + j - 1] + (a[i - 1] != b[j - 1]);
      if (d[(i - 1) * w + j] + 1 < best) best = d[(i - 1) * w + j] + 1;
      if (d[i * w + j - 1] + 1 < best) best = d[i * w + j - 1] + 1;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[(i - 2) * w + j - 2] + 1 < best)
        best = d[(i - 2) * w + j - 2] + 1;
      d[i * w + j] = best;
    }
  int dist = d[la * w + lb];
  free(d);
  return dist;
}

static const char *last_segment(const char *s)
{
  const char *dot = strrchr(s, '.');
  return dot ? dot + 1 : s;
}

const char *ss_nearest(const char *s, const char *const *cands, int n)
{
  const char *best = NULL;
  int bestd = 1 << 20;
  for (int i = 0; i < n; i++) {
    int d = edit_distance(s, cands[i]);
    /* a misplaced section ("agents" for "facility.agents") should still be found */
    int dl = edit_distance(last_segment(s), last_segment(cands[i])) + 1;
    if (dl < d) d = dl;
    if (d < bestd) { bestd = d; best = cands[i]; }
  }
  int allowed = (int)strlen(last_segment(s)) / 3;
  if (allowed < 2) allowed = 2;
  return bestd <= allowed ? best : NULL;
}
