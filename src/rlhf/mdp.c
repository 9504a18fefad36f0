/* placeholder until the distributed MDP lands (next commit) */
#include "rlhf_impl.h"
void rlhf_mdp_oracle(struct rlhf_mdp *mdp, rlhf_oracle *o) { (void)mdp; (void)o; }
