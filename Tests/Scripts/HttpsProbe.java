import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;

/**
 * Loads one HTTPS URL with Java's HttpClient and the JDK's default trust
 * store, and prints "trusted" (any HTTP answer) or "refused" (the TLS
 * handshake failed on the certificate). Run as `java HttpsProbe.java URL`.
 */
public class HttpsProbe {
    public static void main(String[] args) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(args[0])).timeout(Duration.ofSeconds(20)).build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            System.out.println("trusted " + response.statusCode());
        } catch (SSLHandshakeException error) {
            System.out.println("refused " + error.getMessage());
        }
    }
}
