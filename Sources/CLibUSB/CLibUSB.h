// The real libusb-1.0 API (<libusb.h> from libusb-1.0-0-dev), imported as it is.
#ifndef LOYALTYD_CLIBUSB_H
#define LOYALTYD_CLIBUSB_H

#include <libusb.h>

#endif
