# Build the UI, then the Go binary (pure Go, no cgo), then a small runtime image.
FROM node:20-bookworm AS ui
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=ui /src/frontend/dist ./frontend/dist
RUN CGO_ENABLED=0 go build -o /out/aftersales ./backend/cmd/aftersales

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /out/aftersales /usr/local/bin/aftersales
COPY configs/ ./configs/
VOLUME ["/app/data"]
EXPOSE 8080
ENTRYPOINT ["aftersales"]
CMD ["serve", "--demo"]
