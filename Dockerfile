# The bot's image. Build the jar first, then the image (the context needs only the jar, see .dockerignore):
#   ./mvnw -B -DskipTests package && docker build -t harbormaster .
FROM eclipse-temurin:21-jre-noble

# A fixed non-root user: the manifests run the pod as 10001 with a read-only root filesystem.
RUN groupadd --system --gid 10001 harbormaster \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /app --shell /usr/sbin/nologin harbormaster

WORKDIR /app
# Owned by root and not writable by the user that runs it.
COPY bot/target/harbormaster.jar /app/harbormaster.jar

USER 10001:10001
EXPOSE 8080

# Heap from the container's cgroup memory limit (75% of it, the rest for metaspace, threads and direct buffers);
# on OutOfMemoryError the JVM exits so Kubernetes restarts the pod instead of leaving it half alive.
# /tmp is the only writable path besides the H2 volume.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-XX:+UseContainerSupport", "-Djava.io.tmpdir=/tmp", "-jar", "/app/harbormaster.jar"]
CMD ["serve", "--port", "8080"]
