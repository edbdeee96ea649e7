"""What every local stand-in shares: tell the test its port through DIR/port, written whole (by a
rename) so a test that polls for the file never reads half a number."""
import http.server
import os


def write_port(directory, port):
    with open(os.path.join(directory, "port.tmp"), "w") as f:
        f.write(str(port))
    os.rename(os.path.join(directory, "port.tmp"), os.path.join(directory, "port"))


def serve(directory, handler):
    """Serves `handler` on a free loopback port, one thread per connection, until killed."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    write_port(directory, server.server_address[1])
    server.serve_forever()
