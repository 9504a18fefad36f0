/* LinGreedy, a reference: LinUCB's pooled estimate and warm-up without the exploration
 * bonus (play argmax <theta_hat, x>). */
#include "stratsim/bandit_mech.h"
#include "pooled_impl.h"

static int create(ss_bandit_mech *m, ss_err *e) { return ss_bandit_pooled_create(m, 0, e); }

const ss_bandit_mech_ops ss_bandit_lingreedy_ops = {
    .name = "lingreedy",
    .summary = "greedy on one pooled ridge estimate (reference), uniform warm-up",
    .create = create,
    SS_BANDIT_POOLED_OPS,
};
