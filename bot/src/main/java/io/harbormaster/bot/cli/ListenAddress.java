package io.harbormaster.bot.cli;

import io.harbormaster.bot.http.HttpServer;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;

/** The {@code --host} and {@code --port} a server command listens on, checked before anything starts. */
final class ListenAddress {
    private ListenAddress() {}

    /**
     * As {@link #check(String, int)}, and refuses a port another program holds now, before anything starts (a database
     * opened, Slack asked, a data directory reset): {@code others} names who is likely to hold it ("another sandbox").
     * The server still says so should the port be taken in between.
     */
    static void checkFree(String host, int port, String others) {
        check(host, port);
        if (port != 0) {
            try {
                HttpServer.checkFree(host, port);
            } catch (HttpServer.CannotListen e) {
                throw new UserError(e.getMessage() + e.advice(others));
            }
        }
    }

    /**
     * Refuses a port out of range, and a host that is not an address of this machine (a typo, or another machine's
     * address), which the server would otherwise report as a port in use.
     */
    static void check(String host, int port) {
        if (port < 0 || port > 65535) {
            throw new UserError("--port must be between 0 and 65535, got " + port);
        }
        try {
            for (var address : InetAddress.getAllByName(host)) {
                if (address.isAnyLocalAddress()
                        || address.isLoopbackAddress()
                        || NetworkInterface.getByInetAddress(address) != null) {
                    return;
                }
            }
        } catch (UnknownHostException | SocketException e) {
            // refused below
        }
        throw new UserError("--host " + host + " is not an address of this machine: give 127.0.0.1 (this machine"
                + " only), 0.0.0.0 (every interface) or one of this machine's own addresses");
    }
}
