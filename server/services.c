/* services.c — starts and stops the background services; each module adds its line here. */
#include "services.h"

int services_start(void)
{
	return 0;
}

void services_stop(void)
{
}
