/* qr.h — a QR code (libqrencode) drawn into a cairo context as filled rectangles. */
#ifndef DX_CLASSES_QR_H
#define DX_CLASSES_QR_H
#include <cairo.h>

/* Quiet zone around the symbol, in modules (the minimum ISO/IEC 18004 asks for). */
#define QR_QUIET 4

/* Draws text as a QR code (8-bit mode, error correction level M) into a size × size square
   whose top-left corner is (x, y), quiet zone included: the square is painted white, the dark
   modules black. Returns the number of modules per side (without the quiet zone), or -1 when
   the text cannot be encoded (empty, or too long for a version-40 symbol); nothing is drawn
   then. The cairo state is saved and restored. */
int qr_draw(cairo_t *cr, const char *text, double x, double y, double size);
/* Modules per side of text's QR code, or -1 when it cannot be encoded (checked before any byte of
   a document is written). */
int qr_modules(const char *text);
#endif
