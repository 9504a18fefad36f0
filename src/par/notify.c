/* Notifications: zero-byte messages on a communicator of their own, so that world rank 0
 * can count the tasks other rank groups finished (progress) without waiting for them. */
#include <mpi.h>
#include "stratsim/par.h"

#define NOTIFY_TAG 17

void ss_comm_notify(ss_comm *c, int dest)
{
  (void)MPI_Send(NULL, 0, MPI_BYTE, dest, NOTIFY_TAG, *(MPI_Comm *)ss_comm_mpi(c));
}

long ss_comm_notify_poll(ss_comm *c)
{
  MPI_Comm comm = *(MPI_Comm *)ss_comm_mpi(c);
  long got = 0;
  for (;;) {
    int flag = 0;
    MPI_Status st;
    (void)MPI_Iprobe(MPI_ANY_SOURCE, NOTIFY_TAG, comm, &flag, &st);
    if (!flag) return got;
    (void)MPI_Recv(NULL, 0, MPI_BYTE, st.MPI_SOURCE, NOTIFY_TAG, comm, MPI_STATUS_IGNORE);
    got++;
  }
}

void ss_comm_notify_drain(ss_comm *c, long n)
{
  MPI_Comm comm = *(MPI_Comm *)ss_comm_mpi(c);
  for (long i = 0; i < n; i++)
    (void)MPI_Recv(NULL, 0, MPI_BYTE, MPI_ANY_SOURCE, NOTIFY_TAG, comm, MPI_STATUS_IGNORE);
}
