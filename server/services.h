/* services.h — background services the server runs beside HTTP (transcoder workers, sweepers). */
#ifndef DX_SERVICES_H
#define DX_SERVICES_H
/* Starts them after the database is open; 0 or -1. */
int services_start(void);
/* Stops them and waits (called on shutdown). */
void services_stop(void);
#endif
