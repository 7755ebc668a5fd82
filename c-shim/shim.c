/* vaapi-vk C shim, compiled at run time by TinyCC (bun:ffi cc).
 *
 * It needs no libav headers: the stable structs it reads (AVDRMFrameDescriptor) are declared
 * here, and the offsets of the AVFrame/AVCodecContext/AVFormatContext fields it touches, which
 * move between libav major versions, come in as -D defines from ffi/libav.ts. Its output is one
 * flat, versioned struct (VVFrameDesc) that ffi/shim.ts reads with a single layout; vv_layout()
 * reports this file's own sizeof/offsetof so a test can hold both sides to the headers.
 *
 * Code here may run on decoder threads (get_buffer2, buffer free, get_format): it never calls
 * into JS, and the memfd pool is guarded by a mutex.
 */
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <stdlib.h>
#include <pthread.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

int memfd_create(const char *name, unsigned int flags);
int fcntl(int fd, int cmd, ...);

/* libav functions, handed over by vv_init() from the libraries ffi/ already loaded: that needs
 * no unversioned .so (only -dev packages have one) and always binds the copy TS uses. */
static void *(*av_buffer_create)(uint8_t *data, size_t size, void (*free_cb)(void *opaque, uint8_t *data), void *opaque, int flags);
static void (*avcodec_align_dimensions2)(void *avctx, int *width, int *height, int linesize_align[8]);

void vv_init(void *buffer_create, void *align_dimensions2) {
  av_buffer_create = buffer_create;
  avcodec_align_dimensions2 = align_dimensions2;
}

#define FIELD(T, p, off) (*(T *)((char *)(p) + (off)))

/* ---- libavutil/hwcontext_drm.h, stable since its introduction ---- */
#define AV_DRM_MAX_PLANES 4
typedef struct { int fd; size_t size; uint64_t format_modifier; } AVDRMObjectDescriptor;
typedef struct { int object_index; ptrdiff_t offset; ptrdiff_t pitch; } AVDRMPlaneDescriptor;
typedef struct { uint32_t format; int nb_planes; AVDRMPlaneDescriptor planes[AV_DRM_MAX_PLANES]; } AVDRMLayerDescriptor;
typedef struct {
  int nb_objects;
  AVDRMObjectDescriptor objects[AV_DRM_MAX_PLANES];
  int nb_layers;
  AVDRMLayerDescriptor layers[AV_DRM_MAX_PLANES];
} AVDRMFrameDescriptor;

/* ---- the flat output, read by ffi/shim.ts (VVFrameDesc layout) ---- */
#define VV_DESC_VERSION 1
typedef struct { int32_t fd; int32_t reserved; uint64_t size; uint64_t modifier; } VVObject;
typedef struct { int32_t object; int32_t reserved; int64_t offset; int64_t pitch; } VVPlane;
typedef struct { uint32_t fourcc; int32_t nb_planes; VVPlane planes[4]; } VVLayer;
typedef struct {
  uint32_t version;
  int32_t width, height;
  int32_t format;    /* AVFrame.format of the source frame */
  int32_t sw_format; /* the pixel layout in memory: hw_frames_ctx sw_format, or format */
  int32_t color_range, color_primaries, color_trc, colorspace, chroma_location;
  int32_t nb_objects;
  int32_t nb_layers;
  VVObject objects[4];
  VVLayer layers[4];
  int64_t pts;
} VVFrameDesc;

static void fill_common(const void *frame, VVFrameDesc *out) {
  memset(out, 0, sizeof *out);
  out->version = VV_DESC_VERSION;
  out->width = FIELD(int, frame, AVF_WIDTH);
  out->height = FIELD(int, frame, AVF_HEIGHT);
  out->format = FIELD(int, frame, AVF_FORMAT);
  out->sw_format = out->format;
  out->color_range = FIELD(int, frame, AVF_COLOR_RANGE);
  out->color_primaries = FIELD(int, frame, AVF_COLOR_PRIMARIES);
  out->color_trc = FIELD(int, frame, AVF_COLOR_TRC);
  out->colorspace = FIELD(int, frame, AVF_COLORSPACE);
  out->chroma_location = FIELD(int, frame, AVF_CHROMA_LOCATION);
  out->pts = FIELD(int64_t, frame, AVF_PTS);
}

/* Size, formats and colour fields of any frame, with no objects or layers. */
void vv_frame_info(const void *frame, VVFrameDesc *out) {
  fill_common(frame, out);
  void *hw_frames = FIELD(void *, frame, AVF_HW_FRAMES_CTX);
  if (hw_frames) out->sw_format = FIELD(int, FIELD(void *, hw_frames, AVBUF_DATA), AVHWFC_SW_FORMAT);
}

/* Unpack an AVFrame of AV_PIX_FMT_DRM_PRIME (data[0] -> AVDRMFrameDescriptor).
 * Returns 0, or -1 when the frame carries no descriptor, -2 when its counts are out of range. */
int vv_unpack_drm_frame(const void *frame, VVFrameDesc *out) {
  const AVDRMFrameDescriptor *d = FIELD(const AVDRMFrameDescriptor *, frame, AVF_DATA);
  vv_frame_info(frame, out);
  if (!d) return -1;
  if (d->nb_objects < 1 || d->nb_objects > AV_DRM_MAX_PLANES || d->nb_layers < 1 || d->nb_layers > AV_DRM_MAX_PLANES) return -2;
  out->nb_objects = d->nb_objects;
  out->nb_layers = d->nb_layers;
  for (int i = 0; i < d->nb_objects; i++) {
    out->objects[i].fd = d->objects[i].fd;
    out->objects[i].size = d->objects[i].size;
    out->objects[i].modifier = d->objects[i].format_modifier;
  }
  for (int l = 0; l < d->nb_layers; l++) {
    const AVDRMLayerDescriptor *src = &d->layers[l];
    if (src->nb_planes < 1 || src->nb_planes > AV_DRM_MAX_PLANES) return -2;
    out->layers[l].fourcc = src->format;
    out->layers[l].nb_planes = src->nb_planes;
    for (int p = 0; p < src->nb_planes; p++) {
      out->layers[l].planes[p].object = src->planes[p].object_index;
      out->layers[l].planes[p].offset = src->planes[p].offset;
      out->layers[l].planes[p].pitch = src->planes[p].pitch;
    }
  }
  return 0;
}

/* ---- memfd frame pool: get_buffer2 for software decoding straight into dma_buf-able memory ---- */
typedef struct VVSlot VVSlot;
typedef struct VVPool VVPool;
struct VVSlot { VVPool *pool; VVSlot *next; int fd; uint8_t *base; size_t size; int in_use; };
struct VVPool {
  pthread_mutex_t lock;
  VVSlot *slots;
  int closing;
  int outstanding;  /* slots the decoder holds (handed out, still to come back) */
  int64_t allocated, reused, failed;
};

VVPool *vv_pool_new(void) {
  VVPool *p = calloc(1, sizeof *p);
  if (p) pthread_mutex_init(&p->lock, NULL);
  return p;
}

static void pool_destroy(VVPool *p) {
  VVSlot *s = p->slots;
  while (s) {
    VVSlot *n = s->next;
    munmap(s->base, s->size);
    close(s->fd);
    free(s);
    s = n;
  }
  pthread_mutex_destroy(&p->lock);
  free(p);
}

/* Called by libavutil when the last reference to a frame buffer goes away. */
static void slot_release(void *opaque, uint8_t *data) {
  VVSlot *s = opaque;
  VVPool *p = s->pool;
  int destroy;
  (void)data;
  pthread_mutex_lock(&p->lock);
  s->in_use = 0;
  p->outstanding--;
  destroy = p->closing && p->outstanding == 0;
  pthread_mutex_unlock(&p->lock);
  if (destroy) pool_destroy(p);
}

/* Take a free slot of exactly `size` bytes (frame sizes repeat, so reuse is the rule), else map a new memfd. */
static VVSlot *pool_take(VVPool *p, size_t size) {
  VVSlot *s;
  pthread_mutex_lock(&p->lock);
  for (s = p->slots; s; s = s->next) {
    if (!s->in_use && s->size == size) break;
  }
  if (s) {
    s->in_use = 1;
    p->outstanding++;
    p->reused++;
    pthread_mutex_unlock(&p->lock);
    return s;
  }
  pthread_mutex_unlock(&p->lock);
  /* Sealed against shrinking, so /dev/udmabuf can turn it into a real dma_buf for drivers that want one. */
  int fd = memfd_create("vaapi-vk-frame", VV_MFD_CLOEXEC | VV_MFD_ALLOW_SEALING);
  if (fd < 0) return NULL;
  if (ftruncate(fd, (off_t)size) != 0 || fcntl(fd, VV_F_ADD_SEALS, VV_F_SEAL_SHRINK) != 0) { close(fd); return NULL; }
  uint8_t *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) { close(fd); return NULL; }
  s = calloc(1, sizeof *s);
  if (!s) { munmap(base, size); close(fd); return NULL; }
  s->pool = p; s->fd = fd; s->base = base; s->size = size; s->in_use = 1;
  pthread_mutex_lock(&p->lock);
  s->next = p->slots;
  p->slots = s;
  p->outstanding++;
  p->allocated++;
  pthread_mutex_unlock(&p->lock);
  return s;
}

/* Plane geometry of the pixel formats the pool serves; ids come in as defines from ffi/libav.ts. */
static int format_planes(int fmt, int *bytes_per_sample, int *nb_planes) {
  if (fmt == PIX_YUV420P || fmt == PIX_YUVJ420P) { *bytes_per_sample = 1; *nb_planes = 3; return 0; }
  if (fmt == PIX_YUV420P10LE) { *bytes_per_sample = 2; *nb_planes = 3; return 0; }
  if (fmt == PIX_NV12) { *bytes_per_sample = 1; *nb_planes = 2; return 0; }
  if (fmt == PIX_P010LE) { *bytes_per_sample = 2; *nb_planes = 2; return 0; }
  return -1;
}

#define ALIGN(x, a) (((x) + (a) - 1) / (a) * (a))
/* Pitch alignment: what the decoder asks for, and at least 256 bytes, which GPU importers accept. */
#define VV_PITCH_ALIGN 256
/* Bytes past each plane that decoders may touch (libavcodec's own pool adds 16 + STRIDE_ALIGN - 1). */
#define VV_PLANE_SLACK 128

int vv_get_buffer2(void *avctx, void *frame, int flags) {
  VVPool *p = FIELD(VVPool *, avctx, AVCC_OPAQUE);
  int fmt = FIELD(int, frame, AVF_FORMAT);
  int w = FIELD(int, frame, AVF_WIDTH), h = FIELD(int, frame, AVF_HEIGHT);
  int bps, nb_planes, align[8] = {0};
  (void)flags;
  if (!p || format_planes(fmt, &bps, &nb_planes) != 0) { if (p) p->failed++; return -22; /* AVERROR(EINVAL) */ }
  int aw = w, ah = h;
  avcodec_align_dimensions2(avctx, &aw, &ah, align);
  int pa = VV_PITCH_ALIGN;
  for (int i = 0; i < 4; i++) if (align[i] > pa) pa = align[i];
  size_t pitch[3], rows[3], offset[3], total = 0;
  for (int i = 0; i < nb_planes; i++) {
    int chroma = i > 0;
    int samples = chroma ? (nb_planes == 2 ? ALIGN(aw, 2) : (aw + 1) / 2) : aw;
    pitch[i] = ALIGN((size_t)samples * bps, (size_t)pa);
    rows[i] = chroma ? (size_t)(ah + 1) / 2 : (size_t)ah;
    offset[i] = total;
    total = ALIGN(total + pitch[i] * rows[i] + VV_PLANE_SLACK, (size_t)pa);
  }
  total = ALIGN(total, 4096);
  VVSlot *s = pool_take(p, total);
  if (!s) { p->failed++; return -12; /* AVERROR(ENOMEM) */ }
  void *ref = av_buffer_create(s->base, s->size, slot_release, s, 0);
  if (!ref) { slot_release(s, NULL); p->failed++; return -12; }
  for (int i = 0; i < 8; i++) {
    FIELD(uint8_t *, frame, AVF_DATA + i * 8) = i < nb_planes ? s->base + offset[i] : NULL;
    FIELD(int, frame, AVF_LINESIZE + i * 4) = i < nb_planes ? (int)pitch[i] : 0;
    FIELD(void *, frame, AVF_BUF + i * 8) = i == 0 ? ref : NULL;
  }
  FIELD(uint8_t **, frame, AVF_EXTENDED_DATA) = (uint8_t **)((char *)frame + AVF_DATA);
  return 0;
}

void *vv_get_buffer2_ptr(void) { return (void *)&vv_get_buffer2; }

/* Describe a decoded frame whose buffer came from vv_get_buffer2 as a linear DRM PRIME frame over
 * its memfd. Returns 0, -1 if the buffer is not from this pool, -3 if its pixel format is unknown. */
int vv_describe_pool_frame(VVPool *p, const void *frame, VVFrameDesc *out, uint32_t fourcc) {
  const uint8_t *data0 = FIELD(uint8_t *, frame, AVF_DATA);
  int bps, nb_planes;
  VVSlot *s;
  fill_common(frame, out);
  /* The slot whose mapping holds the first plane: a decoder that ignored get_buffer2 (libdav1d has
   * no AV_CODEC_CAP_DR1) hands frames of its own, which no slot holds (-1). Looked up by address,
   * never by reading the buffer's opaque, which is not ours for such frames. */
  pthread_mutex_lock(&p->lock);
  for (s = p->slots; s; s = s->next) {
    if (data0 >= s->base && data0 < s->base + s->size) break;
  }
  pthread_mutex_unlock(&p->lock);
  if (!s) return -1;
  if (format_planes(out->format, &bps, &nb_planes) != 0) return -3;
  out->nb_objects = 1;
  out->objects[0].fd = s->fd;
  out->objects[0].size = s->size;
  out->objects[0].modifier = 0; /* DRM_FORMAT_MOD_LINEAR */
  out->nb_layers = 1;
  out->layers[0].fourcc = fourcc;
  out->layers[0].nb_planes = nb_planes;
  for (int i = 0; i < nb_planes; i++) {
    uint8_t *d = FIELD(uint8_t *, frame, AVF_DATA + i * 8);
    out->layers[0].planes[i].object = 0;
    out->layers[0].planes[i].offset = d - s->base;
    out->layers[0].planes[i].pitch = FIELD(int, frame, AVF_LINESIZE + i * 4);
  }
  return 0;
}

/* allocated, reused, failed, outstanding */
void vv_pool_stats(VVPool *p, int64_t *out) {
  pthread_mutex_lock(&p->lock);
  out[0] = p->allocated; out[1] = p->reused; out[2] = p->failed; out[3] = p->outstanding;
  pthread_mutex_unlock(&p->lock);
}

/* The pool goes away once the decoder and every frame have let go of it. */
void vv_pool_close(VVPool *p) {
  int destroy;
  pthread_mutex_lock(&p->lock);
  p->closing = 1;
  destroy = p->outstanding == 0;
  pthread_mutex_unlock(&p->lock);
  if (destroy) pool_destroy(p);
}

/* ---- VAAPI get_format: pick AV_PIX_FMT_VAAPI from the decoder's list, or fail ---- */
int vv_get_format_vaapi(void *avctx, const int *fmts) {
  (void)avctx;
  for (const int *f = fmts; *f != -1; f++) if (*f == PIX_VAAPI) return *f;
  return -1;
}
void *vv_get_format_vaapi_ptr(void) { return (void *)&vv_get_format_vaapi; }

/* ---- Vulkan Video get_format: AV_PIX_FMT_VULKAN (libavcodec then makes its frames context on the
 * device context we gave it), or fail: a stream the device cannot decode is an error, not a silent
 * software fallback ---- */
int vv_get_format_vulkan(void *avctx, const int *fmts) {
  (void)avctx;
  for (const int *f = fmts; *f != -1; f++) if (*f == PIX_VULKAN) return *f;
  return -1;
}
void *vv_get_format_vulkan_ptr(void) { return (void *)&vv_get_format_vulkan; }

/* ---- stall timeout: libavformat's interrupt callback against a CLOCK_MONOTONIC deadline ---- */
int vv_interrupt(void *opaque) {
  const int64_t *deadline_ns = opaque;
  struct timespec ts;
  if (!deadline_ns || *deadline_ns <= 0) return 0;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec > *deadline_ns;
}
void *vv_interrupt_ptr(void) { return (void *)&vv_interrupt; }
int64_t vv_monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- interruptible input: an AVIOContext over our own non-blocking fd ----
 * libavformat's interrupt callback only runs between reads, so a read that blocks (a FIFO whose
 * writer stopped, a stalled network mount) would hang past any timeout. Here every read that
 * would block polls the fd until data comes or the deadline (CLOCK_MONOTONIC ns, the same one
 * vv_interrupt reads) passes, and then returns AVERROR_EXIT. */
struct pollfd { int fd; short events; short revents; };
int poll(struct pollfd *fds, unsigned long nfds, int timeout);
int *__errno_location(void);
static void *(*avio_alloc_context)(unsigned char *buffer, int buffer_size, int write_flag, void *opaque,
                                   int (*read_packet)(void *opaque, uint8_t *buf, int buf_size),
                                   int (*write_packet)(void *opaque, const uint8_t *buf, int buf_size),
                                   int64_t (*seek)(void *opaque, int64_t offset, int whence));
static void (*avio_context_free)(void **s);
static void *(*av_malloc)(size_t size);
static void (*av_free)(void *ptr);

void vv_init_avio(void *alloc_context, void *context_free, void *malloc_fn, void *free_fn) {
  avio_alloc_context = alloc_context;
  avio_context_free = context_free;
  av_malloc = malloc_fn;
  av_free = free_fn;
}

/* `pipe`: a FIFO or pipe (it cannot seek). Its read() says 0 both at the end and before a writer has
 * connected, so there a 0 is only the end once poll() says the writer hung up. */
typedef struct { int fd; int pipe; const int64_t *deadline_ns; } VVInput;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Wait until `fd` is readable or hung up: 1 readable, 0 hung up, AVERROR_EXIT at the deadline. */
static int input_wait(VVInput *in) {
  for (;;) {
    int wait_ms = -1;
    if (in->deadline_ns && *in->deadline_ns > 0) {
      int64_t left = *in->deadline_ns - now_ns();
      if (left <= 0) return AVERROR_EXIT_VALUE;
      wait_ms = (int)(left / 1000000) + 1;
    }
    struct pollfd p = { in->fd, 1 /* POLLIN */, 0 };
    int n = poll(&p, 1, wait_ms);
    if (n > 0 && (p.revents & 1)) return 1;
    if (n > 0 && (p.revents & 0x10 /* POLLHUP */)) return 0;
  }
}

static int input_read(void *opaque, uint8_t *buf, int size) {
  VVInput *in = opaque;
  for (;;) {
    ssize_t n = read(in->fd, buf, (size_t)size);
    if (n > 0) return (int)n;
    if (n == 0 && !in->pipe) return AVERROR_EOF_VALUE;
    if (n < 0) {
      int err = *__errno_location();
      if (err == 4 /* EINTR */) continue;
      if (err != 11 /* EAGAIN */) return -err;
    }
    int w = input_wait(in);
    if (w < 0) return w;
    if (w == 0 && n == 0) return AVERROR_EOF_VALUE;
  }
}

static int64_t input_seek(void *opaque, int64_t offset, int whence) {
  VVInput *in = opaque;
  if (whence & AVSEEK_SIZE_FLAG) {
    off_t cur = lseek(in->fd, 0, SEEK_CUR);
    off_t end = lseek(in->fd, 0, SEEK_END);
    if (cur >= 0) lseek(in->fd, cur, SEEK_SET);
    return end < 0 ? -*__errno_location() : end;
  }
  off_t r = lseek(in->fd, (off_t)offset, whence & ~AVSEEK_FORCE_FLAG);
  return r < 0 ? -*__errno_location() : r;
}

/* An AVIOContext reading `fd` (taken over: closed by vv_input_close), interruptible at *deadline_ns. */
void *vv_input_open(int fd, const int64_t *deadline_ns) {
  VVInput *in = calloc(1, sizeof *in);
  unsigned char *buffer = av_malloc(65536);
  void *avio = in && buffer ? avio_alloc_context(buffer, 65536, 0, in, input_read, NULL, input_seek) : NULL;
  if (!avio) {
    if (buffer) av_free(buffer);
    free(in);
    return NULL;
  }
  in->fd = fd;
  in->pipe = lseek(fd, 0, SEEK_CUR) < 0;
  in->deadline_ns = deadline_ns;
  return avio;
}

/* Free what vv_input_open made, after avformat_close_input (which leaves a caller's AVIOContext alone). */
void vv_input_close(void *avio) {
  VVInput *in;
  if (!avio) return;
  in = FIELD(VVInput *, avio, AVIO_OPAQUE);
  av_free(FIELD(void *, avio, AVIO_BUFFER)); /* libavformat may have replaced the buffer: free the current one */
  avio_context_free(&avio);
  if (in) {
    close(in->fd);
    free(in);
  }
}

/* ---- decode-ahead: demuxing and decoding on a thread of ours, `depth` frames ahead of the caller ----
 * While JavaScript imports and converts frame N, this thread keeps libavcodec's own threads fed with
 * packets for N+1..N+depth, and the JS thread never blocks in a decode (the event loop keeps running).
 * Every libavformat/libavcodec call on the session's contexts is made here while the thread runs;
 * the caller touches them only after vv_reader_stop() has joined it (seeking, closing). Decoded
 * AVFrames wait in a bounded queue; the caller takes them with vv_reader_pop() and owns them then.
 * The loop is the one DecodeSession.next() runs on the caller's thread without decode-ahead:
 * damaged packets are skipped and recorded (or, strict, end decoding), a stall ends it at the
 * deadline (the same one the interrupt callback and the AVIO read). */
static int (*av_read_frame)(void *fmt, void *pkt);
static int (*avcodec_send_packet)(void *codec, const void *pkt);
static int (*avcodec_receive_frame)(void *codec, void *frame);
static void (*av_packet_unref)(void *pkt);
static void *(*av_frame_alloc)(void);
static void (*av_frame_free)(void **frame);

void vv_init_reader(void *read_frame, void *send_packet, void *receive_frame, void *packet_unref, void *frame_alloc, void *frame_free) {
  av_read_frame = read_frame;
  avcodec_send_packet = send_packet;
  avcodec_receive_frame = receive_frame;
  av_packet_unref = packet_unref;
  av_frame_alloc = frame_alloc;
  av_frame_free = frame_free;
}

#define VV_READER_MAX_DEPTH 64
#define VV_DAMAGE_RING 64
enum { VV_STAGE_SEND = 0, VV_STAGE_RECEIVE = 1, VV_STAGE_READ = 2 };
/* What the thread ended with: still running, the end of the stream, or an error (code, stage, packet position). */
enum { VV_READER_RUNNING = 0, VV_READER_EOF = 1, VV_READER_FAILED = 2, VV_READER_STOPPED = 3 };
typedef struct { int64_t pos; int32_t stage; int32_t code; } VVDamage;
typedef struct { void *frame; int64_t damage_seq; } VVQueued;

typedef struct {
  pthread_t thread;
  int started;
  pthread_mutex_t lock;
  pthread_cond_t cond; /* signalled when a frame is queued, taken, or the state changes */
  void *fmt, *codec, *packet;
  int stream_index, strict, depth;
  int64_t *deadline_ns; /* the session's stall deadline (0: none), shared with the interrupt callback */
  int64_t timeout_ns;
  int draining;
  VVQueued queue[VV_READER_MAX_DEPTH];
  int head, count;
  int stop, state;
  int32_t fail_code, fail_stage;
  int64_t fail_pos;
  int64_t damage_seq; /* damage recorded so far; the ring holds the last VV_DAMAGE_RING */
  VVDamage damage[VV_DAMAGE_RING];
} VVReader;

VVReader *vv_reader_new(void *fmt, void *codec, void *packet, int stream_index, int strict, int depth, int64_t *deadline_ns, int64_t timeout_ns) {
  VVReader *r;
  if (depth < 1 || depth > VV_READER_MAX_DEPTH) return NULL;
  r = calloc(1, sizeof *r);
  if (!r) return NULL;
  pthread_mutex_init(&r->lock, NULL);
  pthread_cond_init(&r->cond, NULL);
  r->fmt = fmt; r->codec = codec; r->packet = packet;
  r->stream_index = stream_index; r->strict = strict; r->depth = depth;
  r->deadline_ns = deadline_ns; r->timeout_ns = timeout_ns;
  return r;
}

static void reader_arm(VVReader *r) {
  if (r->stop) return;
  *r->deadline_ns = r->timeout_ns > 0 ? now_ns() + r->timeout_ns : 0;
}
static int reader_expired(VVReader *r) { return *r->deadline_ns > 0 && now_ns() > *r->deadline_ns; }

static void reader_damage(VVReader *r, int stage, int64_t pos, int code) {
  pthread_mutex_lock(&r->lock);
  VVDamage *d = &r->damage[r->damage_seq % VV_DAMAGE_RING];
  d->pos = pos; d->stage = stage; d->code = code;
  r->damage_seq++;
  pthread_mutex_unlock(&r->lock);
}

/* One frame into `frame`: 0, AVERROR_EOF at the end, else the error that ends decoding (*stage, *pos set). */
static int reader_decode(VVReader *r, void *frame, int *stage, int64_t *pos) {
  int receive_errors = 0;
  for (;;) {
    int e = avcodec_receive_frame(r->codec, frame);
    if (e == 0 || e == AVERROR_EOF_VALUE) return e;
    if (e != AVERROR_EAGAIN_VALUE) {
      /* A decoder that keeps failing without taking input is broken, not damaged: stop. */
      *stage = VV_STAGE_RECEIVE;
      if (++receive_errors > 16 || r->strict || e == AVERROR_EXIT_VALUE) return e;
      reader_damage(r, VV_STAGE_RECEIVE, *pos, e);
      continue;
    }
    *stage = VV_STAGE_READ;
    if (r->stop || reader_expired(r)) return AVERROR_EXIT_VALUE;
    /* Drained, and the decoder still wants input instead of saying the end: broken, stop. */
    if (r->draining) return e;
    e = av_read_frame(r->fmt, r->packet);
    if (e == AVERROR_EOF_VALUE) {
      /* A read cut off at the deadline can look like the end of the file. */
      if (r->stop || reader_expired(r)) return AVERROR_EXIT_VALUE;
      r->draining = 1;
      avcodec_send_packet(r->codec, NULL);
      continue;
    }
    if (e < 0) return (r->stop || reader_expired(r)) ? AVERROR_EXIT_VALUE : e;
    if (FIELD(int, r->packet, AVPKT_STREAM_INDEX) == r->stream_index) {
      *pos = FIELD(int64_t, r->packet, AVPKT_POS);
      e = avcodec_send_packet(r->codec, r->packet);
      av_packet_unref(r->packet);
      if (e < 0 && e != AVERROR_EAGAIN_VALUE) {
        *stage = VV_STAGE_SEND;
        if (r->strict || e == AVERROR_EXIT_VALUE) return e;
        reader_damage(r, VV_STAGE_SEND, *pos, e);
      }
    } else {
      av_packet_unref(r->packet);
    }
  }
}

static void *reader_main(void *arg) {
  VVReader *r = arg;
  int64_t pos = -1;
  for (;;) {
    pthread_mutex_lock(&r->lock);
    while (r->count >= r->depth && !r->stop) pthread_cond_wait(&r->cond, &r->lock);
    int stop = r->stop;
    pthread_mutex_unlock(&r->lock);
    if (stop) break;
    void *frame = av_frame_alloc();
    int stage = VV_STAGE_READ, e;
    if (!frame) { e = -12; /* AVERROR(ENOMEM) */ }
    else {
      reader_arm(r);
      e = reader_decode(r, frame, &stage, &pos);
    }
    pthread_mutex_lock(&r->lock);
    if (e == 0) {
      VVQueued *q = &r->queue[(r->head + r->count) % VV_READER_MAX_DEPTH];
      q->frame = frame;
      q->damage_seq = r->damage_seq;
      r->count++;
    } else {
      if (frame) av_frame_free(&frame);
      if (r->stop) r->state = VV_READER_STOPPED;
      else if (e == AVERROR_EOF_VALUE) r->state = VV_READER_EOF;
      else { r->state = VV_READER_FAILED; r->fail_code = e; r->fail_stage = stage; r->fail_pos = pos; }
    }
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    if (e != 0) return NULL;
  }
  pthread_mutex_lock(&r->lock);
  r->state = VV_READER_STOPPED;
  pthread_cond_broadcast(&r->cond);
  pthread_mutex_unlock(&r->lock);
  return NULL;
}

/* Start (or, after vv_reader_stop, restart) the thread. `draining`: the decoder was already sent its end. 0, or an errno. */
int vv_reader_start(VVReader *r, int draining) {
  if (r->started) return 0;
  r->stop = 0;
  r->state = VV_READER_RUNNING;
  r->draining = draining;
  int e = pthread_create(&r->thread, NULL, reader_main, r);
  if (e == 0) r->started = 1;
  return e;
}

/* Take the next frame, waiting up to wait_ns (0: don't wait). out: [frame, damage_seq, state, fail_code, fail_stage, fail_pos].
 * Returns 1 with a frame (the caller owns it), 0 when none came in time, -1 when the thread has ended (out[2..5] say how). */
int vv_reader_pop(VVReader *r, int64_t wait_ns, int64_t *out) {
  int got = 0;
  pthread_mutex_lock(&r->lock);
  if (r->count == 0 && r->state == VV_READER_RUNNING && r->started && wait_ns > 0) {
    struct timespec until;
    int64_t t;
    clock_gettime(CLOCK_MONOTONIC, &until);
    t = (int64_t)until.tv_sec * 1000000000 + until.tv_nsec + wait_ns;
    /* The condition variable runs on CLOCK_REALTIME by default: wait in slices, checked against the monotonic clock. */
    while (r->count == 0 && r->state == VV_READER_RUNNING) {
      int64_t left = t - now_ns();
      if (left <= 0) break;
      struct timespec real;
      clock_gettime(CLOCK_REALTIME, &real);
      int64_t slice = left < 50000000 ? left : 50000000;
      int64_t ns = real.tv_nsec + slice;
      real.tv_sec += ns / 1000000000;
      real.tv_nsec = ns % 1000000000;
      pthread_cond_timedwait(&r->cond, &r->lock, &real);
    }
  }
  out[2] = r->state; out[3] = r->fail_code; out[4] = r->fail_stage; out[5] = r->fail_pos;
  if (r->count > 0) {
    VVQueued *q = &r->queue[r->head];
    out[0] = (int64_t)(intptr_t)q->frame;
    out[1] = q->damage_seq;
    r->head = (r->head + 1) % VV_READER_MAX_DEPTH;
    r->count--;
    got = 1;
    pthread_cond_broadcast(&r->cond);
  } else if (r->state != VV_READER_RUNNING || !r->started) {
    got = -1;
  }
  pthread_mutex_unlock(&r->lock);
  return got;
}

/* Damage record `seq` (while it is still in the ring): out = [pos, stage, code]; 0, or -1 when overwritten. */
int vv_reader_damage(VVReader *r, int64_t seq, int64_t *out) {
  int ok = -1;
  pthread_mutex_lock(&r->lock);
  if (seq >= 0 && seq < r->damage_seq && seq >= r->damage_seq - VV_DAMAGE_RING) {
    VVDamage *d = &r->damage[seq % VV_DAMAGE_RING];
    out[0] = d->pos; out[1] = d->stage; out[2] = d->code;
    ok = 0;
  }
  pthread_mutex_unlock(&r->lock);
  return ok;
}

/* Stop the thread and join it (a read in progress is cut off through the deadline). Queued frames stay. */
void vv_reader_stop(VVReader *r) {
  if (!r->started) return;
  pthread_mutex_lock(&r->lock);
  r->stop = 1;
  *r->deadline_ns = 1; /* in the past: the interrupt callback and the AVIO read give up now */
  pthread_cond_broadcast(&r->cond);
  pthread_mutex_unlock(&r->lock);
  pthread_join(r->thread, NULL);
  r->started = 0;
  *r->deadline_ns = 0;
}

/* Frames still queued: free them (after vv_reader_stop). */
void vv_reader_clear(VVReader *r) {
  pthread_mutex_lock(&r->lock);
  while (r->count > 0) {
    av_frame_free(&r->queue[r->head].frame);
    r->head = (r->head + 1) % VV_READER_MAX_DEPTH;
    r->count--;
  }
  pthread_mutex_unlock(&r->lock);
}

/* Stop, free queued frames and the reader. */
void vv_reader_free(VVReader *r) {
  if (!r) return;
  vv_reader_stop(r);
  vv_reader_clear(r);
  pthread_cond_destroy(&r->cond);
  pthread_mutex_destroy(&r->lock);
  free(r);
}

/* This file's own layouts, for the layout test: which = 0 AVDRMFrameDescriptor, 1 VVFrameDesc.
 * Writes sizeof then the offsets in declaration order; returns how many values it wrote. */
int vv_layout(int which, int64_t *out) {
  int n = 0;
  if (which == 0) {
    out[n++] = sizeof(AVDRMFrameDescriptor);
    out[n++] = offsetof(AVDRMFrameDescriptor, nb_objects);
    out[n++] = offsetof(AVDRMFrameDescriptor, objects);
    out[n++] = offsetof(AVDRMFrameDescriptor, nb_layers);
    out[n++] = offsetof(AVDRMFrameDescriptor, layers);
    out[n++] = sizeof(AVDRMObjectDescriptor);
    out[n++] = sizeof(AVDRMLayerDescriptor);
    out[n++] = sizeof(AVDRMPlaneDescriptor);
  } else if (which == 1) {
    out[n++] = sizeof(VVFrameDesc);
    out[n++] = offsetof(VVFrameDesc, version);
    out[n++] = offsetof(VVFrameDesc, width);
    out[n++] = offsetof(VVFrameDesc, height);
    out[n++] = offsetof(VVFrameDesc, format);
    out[n++] = offsetof(VVFrameDesc, sw_format);
    out[n++] = offsetof(VVFrameDesc, color_range);
    out[n++] = offsetof(VVFrameDesc, color_primaries);
    out[n++] = offsetof(VVFrameDesc, color_trc);
    out[n++] = offsetof(VVFrameDesc, colorspace);
    out[n++] = offsetof(VVFrameDesc, chroma_location);
    out[n++] = offsetof(VVFrameDesc, nb_objects);
    out[n++] = offsetof(VVFrameDesc, nb_layers);
    out[n++] = offsetof(VVFrameDesc, objects);
    out[n++] = offsetof(VVFrameDesc, layers);
    out[n++] = offsetof(VVFrameDesc, pts);
  }
  return n;
}
