/* LinGreedy, a reference: LinUCB's pooled estimate and warm-up without the exploration
 * bonus (play argmax <theta_hat, x>). */
#include "stratsim/bandit_mech.h"

static int create(ss_bandit_mech *m, ss_err *e) { return ss_bandit_pooled_create(m, 0, e); }

const ss_bandit_mech_ops ss_bandit_lingreedy_ops = {
    .name = "lingreedy",
    .summary = "greedy on one pooled ridge estimate (reference), uniform warm-up",
    .estimates = 1,
    .create = create,
    .destroy = ss_bandit_pooled_destroy,
    .reset = ss_bandit_pooled_reset,
    .forced = ss_bandit_pooled_forced,
    .score = ss_bandit_pooled_score,
    .update = ss_bandit_pooled_update,
    .theta_error = ss_bandit_pooled_theta_error,
};
