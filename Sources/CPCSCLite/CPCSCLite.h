// The real pcsc-lite API (<winscard.h> from libpcsclite-dev), imported as it is.
// pkg-config's -I/usr/include/PCSC is needed: winscard.h includes <pcsclite.h> with angle brackets.
#ifndef LOYALTYD_CPCSCLITE_H
#define LOYALTYD_CPCSCLITE_H

#include <winscard.h>
#include <reader.h>

// SCARD_PCI_T0 and SCARD_PCI_T1 are macros taking the address of a global; Swift cannot import them.
static inline const SCARD_IO_REQUEST *loyaltyd_scard_pci_t0(void) { return SCARD_PCI_T0; }
static inline const SCARD_IO_REQUEST *loyaltyd_scard_pci_t1(void) { return SCARD_PCI_T1; }

// The reader attributes are function-like macros (SCARD_ATTR_VALUE); Swift imports these constants.
static const DWORD loyaltyd_scard_attr_vendor_ifd_serial_no = SCARD_ATTR_VENDOR_IFD_SERIAL_NO;
static const DWORD loyaltyd_scard_attr_channel_id = SCARD_ATTR_CHANNEL_ID;

#endif
