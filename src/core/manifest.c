/* The manifest writer (JSON by hand: the structure is small and fixed). */
#include <petscsys.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "stratsim/manifest.h"
#include "stratsim/output.h"

#ifndef SS_GIT_DESCRIBE
#define SS_GIT_DESCRIBE "unknown"
#endif
#ifndef SS_CC
#define SS_CC "cc"
#endif
#ifndef SS_CFLAGS
#define SS_CFLAGS ""
#endif

void ss_iso_time(char *buf, size_t len)
{
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void json_string(FILE *f, const char *s)
{
  if (!s) { fputs("null", f); return; }
  fputc('"', f);
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
    else if (ch == '\n') fputs("\\n", f);
    else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
    else fputc(ch, f);
  }
  fputc('"', f);
}

static void env_field(FILE *f, const char *key, const char *var, int last)
{
  fprintf(f, "    \"%s\": ", key);
  json_string(f, getenv(var));
  fputs(last ? "\n" : ",\n", f);
}

int ss_manifest_write(const ss_manifest *m, ss_err *e)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) return ss_fail(e, SS_ERUNTIME, "out of memory");
  fputs("{\n  \"status\": ", f);
  json_string(f, m->status);
  fputs(",\n  \"reason\": ", f);
  json_string(f, m->reason);
  fputs(",\n  \"command\": [", f);
  for (int i = 0; i < m->argc; i++) {
    if (i) fputs(", ", f);
    json_string(f, m->argv[i]);
  }
  fputs("],\n  \"config_file\": ", f);
  json_string(f, ss_cfg_source(m->cfg));
  fputs(",\n  \"experiment\": ", f);
  json_string(f, ss_cfg_experiment(m->cfg));
  fputs(",\n  \"config\": ", f);
  ss_config_write_json(m->cfg, f, 1);
  fputs(",\n  \"overrides\": ", f);
  ss_config_write_overrides_json(m->cfg, f);
  fprintf(f, ",\n  \"sweep_points\": %ld,\n  \"sweep_index\": ", m->npoints);
  if (m->sweep_index >= 0) fprintf(f, "%ld", m->sweep_index);
  else fputs("null", f);
  fprintf(f, ",\n  \"tasks\": %ld", m->ntasks);
  fputs(",\n  \"git_describe\": ", f);
  json_string(f, SS_GIT_DESCRIBE);
  fputs(",\n  \"compiler\": ", f);
  json_string(f, SS_CC " (" __VERSION__ ")");
  fputs(",\n  \"cflags\": ", f);
  json_string(f, SS_CFLAGS);
  fprintf(f, ",\n  \"petsc_version\": \"%d.%d.%d\"", PETSC_VERSION_MAJOR, PETSC_VERSION_MINOR,
          PETSC_VERSION_SUBMINOR);
  fputs(",\n  \"mpi_version\": ", f);
  json_string(f, m->mpi_version);
  fprintf(f, ",\n  \"ranks\": %d,\n  \"groups\": %d,\n  \"seed\": %lld,\n  \"seeds\": %lld,\n", m->ranks,
          m->groups, ss_cfg_int(m->cfg, "seed"), ss_cfg_int(m->cfg, "seeds"));
  fputs("  \"slurm\": {\n", f);
  env_field(f, "job_id", "SLURM_JOB_ID", 0);
  env_field(f, "array_job_id", "SLURM_ARRAY_JOB_ID", 0);
  env_field(f, "array_task_id", "SLURM_ARRAY_TASK_ID", 0);
  env_field(f, "nodelist", "SLURM_JOB_NODELIST", 1);
  fputs("  },\n  \"start_time\": ", f);
  json_string(f, m->start_time);
  fputs(",\n  \"end_time\": ", f);
  json_string(f, m->end_time[0] ? m->end_time : NULL);
  fprintf(f, ",\n  \"wall_seconds\": %.6f,\n  \"phases\": {", m->wall_seconds);
  for (int i = 0; i < m->nphases; i++) {
    fprintf(f, "%s\n    ", i ? "," : "");
    json_string(f, m->phase_name[i]);
    fprintf(f, ": {\"min\": %.6f, \"max\": %.6f, \"mean\": %.6f}", m->phase_min[i], m->phase_max[i],
            m->phase_mean[i]);
  }
  fputs(m->nphases ? "\n  },\n  \"files\": [" : "},\n  \"files\": [", f);
  int nf = 0;
  for (int i = 0; m->tables && i < ss_tableset_count(m->tables); i++) {
    ss_table *t = ss_tableset_at(m->tables, i);
    if (!ss_table_get_header(t)) continue;
    fprintf(f, "%s\"%s.csv\"", nf++ ? ", " : "", ss_table_name(t));
  }
  fputs("]\n}\n", f);
  fclose(f);
  int rc = ss_write_atomic(m->dir, "manifest.json", buf, len, e);
  free(buf);
  return rc;
}
