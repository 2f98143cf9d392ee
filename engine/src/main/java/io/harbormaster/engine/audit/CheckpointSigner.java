package io.harbormaster.engine.audit;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;

/** Signs checkpoints with an Ed25519 key pair and names the key by a short fingerprint of its public half. */
public final class CheckpointSigner {
    private static final String ALGORITHM = "Ed25519";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String keyId;

    private CheckpointSigner(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.keyId = keyIdOf(publicKey);
        var probe = "harbormaster key pair check".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (!verify(publicKey, probe, sign(probe))) {
            throw new IllegalArgumentException(
                    "the audit signing key and public key are not a pair: give both halves of the same key pair"
                            + " (harbormaster audit keygen prints one)");
        }
    }

    /** A new random key pair, as the sandbox uses when none is configured. */
    public static CheckpointSigner generate() {
        try {
            KeyPair pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
            return new CheckpointSigner(pair.getPrivate(), pair.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java runtime has no Ed25519", e);
        }
    }

    /**
     * A signer from configuration: the private key as base64 PKCS#8 and the public key as base64 X.509, the two
     * lines {@code harbormaster audit keygen} prints.
     */
    public static CheckpointSigner fromBase64(String privateKeyPkcs8, String publicKeyX509) {
        try {
            var factory = KeyFactory.getInstance(ALGORITHM);
            var priv = factory.generatePrivate(new PKCS8EncodedKeySpec(decode(privateKeyPkcs8, "signing key")));
            return new CheckpointSigner(priv, publicKeyFromBase64(publicKeyX509));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "the audit signing key is not a base64 PKCS#8 Ed25519 private key (harbormaster audit keygen"
                            + " prints one)",
                    e);
        }
    }

    /** A public key from its base64 X.509 form, refusing anything else with a message that says what is expected. */
    public static PublicKey publicKeyFromBase64(String publicKeyX509) {
        try {
            return KeyFactory.getInstance(ALGORITHM)
                    .generatePublic(new X509EncodedKeySpec(decode(publicKeyX509, "public key")));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the audit public key is not a base64 X.509 Ed25519 public key", e);
        }
    }

    private static byte[] decode(String base64, String what) {
        if (base64 == null || base64.isBlank()) {
            throw new IllegalArgumentException("the audit " + what + " is empty");
        }
        try {
            return Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the audit " + what + " is not base64", e);
        }
    }

    /** A checkpoint for the entry {@code (seq, hash)}, signed now. */
    public AuditCheckpoint checkpoint(long seq, String entryHash, Instant now) {
        var at = now.truncatedTo(ChronoUnit.MICROS);
        var signature = sign(AuditCheckpoint.signedBytes(seq, entryHash, at));
        return new AuditCheckpoint(
                seq, entryHash, at, keyId, Base64.getEncoder().encodeToString(signature));
    }

    /** The base64 signature of {@code message}: what an export's manifest carries. */
    String signBase64(byte[] message) {
        return Base64.getEncoder().encodeToString(sign(message));
    }

    private byte[] sign(byte[] message) {
        try {
            var signer = Signature.getInstance(ALGORITHM);
            signer.initSign(privateKey);
            signer.update(message);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    /** Whether {@code signature} is a valid Ed25519 signature of {@code message} by {@code key}. */
    public static boolean verify(PublicKey key, byte[] message, byte[] signature) {
        try {
            var verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** The first 16 hex digits of the SHA-256 of the public key's X.509 encoding. */
    public static String keyIdOf(PublicKey key) {
        return HexFormat.of()
                .formatHex(AuditChain.sha256().digest(key.getEncoded()))
                .substring(0, 16);
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(publicKey.getEncoded());
    }

    public String privateKeyBase64() {
        return Base64.getEncoder().encodeToString(privateKey.getEncoded());
    }

    public String keyId() {
        return keyId;
    }

    @Override
    public String toString() {
        return "CheckpointSigner[keyId=" + keyId + "]"; // never the private key
    }
}
