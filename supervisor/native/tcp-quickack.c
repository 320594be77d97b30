/*
 * tcp_quickack: setsockopt(TCP_QUICKACK) for the receiver's sockets (Node has no way to set it).
 *
 * Senders such as dcmtk's storescu leave Nagle's algorithm on: the last, short segment of a data
 * set waits until the receiver acknowledges the segments before it. Linux delays that
 * acknowledgement by up to 40 ms on a connection that answers each request (delayed ACK), so
 * about one image in ten waited 40 ms. TCP_QUICKACK makes the kernel acknowledge at once; it is
 * not sticky, so the receiver sets it again after every read.
 */
#include <node_api.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

static napi_value set_quick_ack(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd = -1;
  int one = 1;
  napi_value result;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return NULL;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok) return NULL;
  napi_get_boolean(env, fd >= 0 && setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one) == 0, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "setQuickAck", NAPI_AUTO_LENGTH, set_quick_ack, NULL, &fn);
  napi_set_named_property(env, exports, "setQuickAck", fn);
  return exports;
}
