/* In-task checkpoints of the bandit experiment (src/bandit/task_resume.c, docs/checkpoint.md). */
#ifndef STRATSIM_BANDIT_RESUME_H
#define STRATSIM_BANDIT_RESUME_H

#include "stratsim/bandit.h"
#include "stratsim/experiment.h"

/* Allocates res->yrep (K x d) and, when the task resumes from a saved epoch, fills res (with
 * the epoch's rollout state, if one was saved in its rounds) and puts the saved rows of the
 * earlier epochs back into the task's tables (group rank 0; call after the tables' headers).
 * Not collective. */
int ss_bandit_task_resume(ss_task *task, int64_t K, int d, ss_bandit_resume *res, ss_err *e);
/* After the protocol stopped with SS_EINTR: the state res and the task's tables so far into
 * task->save (nothing when res->epoch is 0 and no rollout state was saved). Keeps the SS_EINTR
 * in e unless the save fails. Frees res->rollout, whatever the outcome. Not collective. */
int ss_bandit_task_save(ss_task *task, int64_t K, int d, int epochs, ss_bandit_resume *res, ss_err *e);

#endif
