# rackboot_net: SO_BINDTODEVICE for Node's dgram and net, sendfile(2) for HTTP (see rackboot_net.c). Built by
# build/scripts/build-native.mjs with `node-gyp rebuild --directory electron/core/net/native`; never run node-gyp
# from the repo root, whose own build/ folder node-gyp would clobber. libuv (uv.h) comes with Node's headers and
# its symbols from the host process, Node or Electron, like N-API's.
{
  'targets': [
    {
      'target_name': 'rackboot_net',
      # Linux only: elsewhere the target has no sources and bind.ts reports the addon as unavailable.
      'conditions': [
        ['OS=="linux"', {
          'sources': ['rackboot_net.c'],
          # N-API 8 (Node >= 12.22, every Electron in use): one binary for Node and Electron.
          'defines': ['NAPI_VERSION=8'],
          'cflags': ['-std=gnu11', '-Wall', '-Wextra', '-Wno-unused-parameter'],
        }],
      ],
    },
  ],
}
