/* vaapi-vk: the Vulkan debug messenger's callback, compiled at run time by TinyCC (ffi/vkdebug.ts).
 *
 * The validation layer calls it on whichever thread made the Vulkan call: the caller's, and the
 * decode threads when libavcodec drives the device (the Vulkan Video source). JavaScript cannot
 * be entered from those threads, so each message is queued here under a mutex, and the JS thread
 * takes them (vv_debug_take) when it checks for validation errors.
 */
#include <stdint.h>
#include <string.h>
#include <pthread.h>

/* The head of VkDebugUtilsMessengerCallbackDataEXT (vulkan_core.h), up to pMessage. */
typedef struct {
  uint32_t sType;
  const void *pNext;
  uint32_t flags;
  const char *pMessageIdName;
  int32_t messageIdNumber;
  const char *pMessage;
} CallbackDataHead;

#define QUEUE_CAP 256
#define MESSAGE_MAX 8192

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
  uint32_t severity;
  char text[MESSAGE_MAX];
} queue[QUEUE_CAP];
static int queue_head, queue_count;
static uint32_t queue_dropped;

/* PFN_vkDebugUtilsMessengerCallbackEXT: queue the message; VK_FALSE (never abort the call). */
uint32_t vv_debug_callback(uint32_t severity, uint32_t types, const CallbackDataHead *data, void *user) {
  (void)types;
  (void)user;
  const char *text = data && data->pMessage ? data->pMessage : "(no message)";
  pthread_mutex_lock(&queue_lock);
  if (queue_count == QUEUE_CAP) {
    queue_dropped++;
  } else {
    int i = (queue_head + queue_count) % QUEUE_CAP;
    queue[i].severity = severity;
    strncpy(queue[i].text, text, MESSAGE_MAX - 1);
    queue[i].text[MESSAGE_MAX - 1] = 0;
    queue_count++;
  }
  pthread_mutex_unlock(&queue_lock);
  return 0;
}

void *vv_debug_callback_ptr(void) { return (void *)&vv_debug_callback; }

/* Take the oldest queued message: returns its severity bits (0 when none is queued) and copies its
 * text, NUL-terminated, into out (cap bytes). *dropped gets the messages lost to a full queue since
 * the last call. */
uint32_t vv_debug_take(char *out, int cap, uint32_t *dropped) {
  uint32_t severity = 0;
  pthread_mutex_lock(&queue_lock);
  *dropped = queue_dropped;
  queue_dropped = 0;
  if (queue_count > 0) {
    severity = queue[queue_head].severity;
    strncpy(out, queue[queue_head].text, cap - 1);
    out[cap - 1] = 0;
    queue_head = (queue_head + 1) % QUEUE_CAP;
    queue_count--;
  }
  pthread_mutex_unlock(&queue_lock);
  return severity;
}
