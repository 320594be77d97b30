{
  "targets": [
    {
      "target_name": "tcp_quickack",
      "sources": ["tcp-quickack.c"],
      "cflags": ["-O2", "-Wall"]
    }
  ]
}
