/* The K x d matrix check that the experiment and its plug-ins' checks share (a leaf: the
 * plug-ins call it, the registries list the plug-ins). */
#include "stratsim/bandit_mech.h"

int ss_bandit_check_matrix(const ss_config *cfg, const char *path, long long K, long long d, const char *why,
                           ss_err *e)
{
  int rows = 0, cols = 0;
  if (!ss_cfg_matrix(cfg, path, &rows, &cols))
    return ss_cfg_error(cfg, path, e, "expected a %lld x %lld matrix (%s), found nothing", K, d, why);
  if (rows != K || cols != d)
    return ss_cfg_error(cfg, path, e, "expected a %lld x %lld matrix (bandit.K x bandit.d), found %d x %d",
                        K, d, rows, cols);
  return SS_OK;
}
