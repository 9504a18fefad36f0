/* The accessors of the opaque communicator (par.h, comm_handle.h). */
#include "comm_handle.h"

int ss_comm_rank(const ss_comm *c) { return c->rank; }

int ss_comm_size(const ss_comm *c) { return c->size; }

void *ss_comm_mpi(ss_comm *c) { return &c->comm; }
