/* libFuzzer harness for the config path (issue 11): YAML bytes plus --set strings, through
 * parsing and validation, sweep point expansion, the YAML/JSON writers, the memory estimate,
 * and a round trip: the YAML a valid config is written as must parse to the same config.
 * Input: the YAML text, then optionally a line "#--set" followed by one override per line.
 * Build and run: make fuzz (tests/fuzz/run.sh). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stratsim/config.h"
#include "stratsim/memory.h"

#define MAX_SETS 8
#define MAX_POINTS 16

static char *write_to_string(const ss_config *c, int json, size_t *len)
{
  char *buf = NULL;
  FILE *f = open_memstream(&buf, len);
  if (!f) abort();
  if (json) {
    ss_config_write_json(c, f, 1);
    ss_config_write_overrides_json(c, f);
  } else {
    ss_config_write_yaml(c, f);
  }
  fclose(f);
  return buf;
}

/* The resolved YAML must read back as the same config (the same YAML once more). */
static void round_trip(const ss_config *c)
{
  size_t len;
  char *yaml = write_to_string(c, 0, &len);
  ss_config *again = NULL;
  ss_err e = {0};
  if (ss_config_parse(ss_cfg_source(c), yaml, len, NULL, 0, &again, &e)) {
    fprintf(stderr, "the written config does not parse: %s\n---\n%s\n", e.msg, yaml);
    abort();
  }
  size_t len2;
  char *yaml2 = write_to_string(again, 0, &len2);
  if (len != len2 || memcmp(yaml, yaml2, len)) {
    fprintf(stderr, "round trip changed the config:\n---\n%s\n---\n%s\n", yaml, yaml2);
    abort();
  }
  free(yaml2);
  ss_config_free(&again);
  free(yaml);
}

static void exercise(const ss_config *cfg)
{
  size_t len;
  free(write_to_string(cfg, 1, &len));
  long np = ss_config_npoints(cfg);
  for (long i = 0; i < np && i < MAX_POINTS; i++) {
    ss_config *point = NULL;
    ss_err e = {0};
    char label[512];
    ss_config_point_label(cfg, i, label, sizeof label);
    if (ss_config_point(cfg, i, &point, &e)) continue; /* a point may fail its checks: an input error */
    free(write_to_string(point, 1, &len));
    round_trip(point);
    ss_config_free(&point);
  }
  ss_mem_estimate m;
  ss_err e = {0};
  if (np <= MAX_POINTS) ss_memory_estimate(cfg, -1, 3, 2, 1, &m, &e);
  if (np == 1) round_trip(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = 0;
  char *sets[MAX_SETS];
  int nsets = 0;
  size_t yaml_len = size;
  char *marker = strstr(text, "#--set\n");
  if (marker) {
    yaml_len = (size_t)(marker - text);
    char *line = marker + 7;
    while (*line && nsets < MAX_SETS) {
      char *nl = strchr(line, '\n');
      if (nl) *nl = 0;
      sets[nsets++] = line;
      if (!nl) break;
      line = nl + 1;
    }
  }
  ss_config *cfg = NULL;
  ss_err e = {0};
  if (!ss_config_parse("fuzz.yaml", text, yaml_len, sets, nsets, &cfg, &e)) exercise(cfg);
  else if (e.code != SS_EINPUT || !e.msg[0]) { /* a bad input is SS_EINPUT with a message */
    fprintf(stderr, "parse failed with code %d and message '%s'\n", e.code, e.msg);
    abort();
  }
  ss_config_free(&cfg);
  free(text);
  return 0;
}
