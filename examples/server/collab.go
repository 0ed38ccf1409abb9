package main

import (
	"context"
	"fmt"
	"log/slog"

	guard "github.com/guardgo/guard/core"
	"github.com/guardgo/guard/core/geo/maxmind"
	redisstore "github.com/guardgo/guard/core/store/redis"
	goredis "github.com/redis/go-redis/v9"
)

// redisLogger adapts go-redis's internal logging to slog.
type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}

// collaborators builds what the configuration asks for beyond the engine
// itself: the Redis store (enable_redis) and the country database
// (geoip_database, geoip_license_key, geoip_download_url). Cloud ranges are
// loaded by the engine. The returned cleanup closes them after the engine.
func collaborators(ctx context.Context, cfg guard.Config, logger *slog.Logger) ([]guard.Option, func(), error) {
	var opts []guard.Option
	var closers []func()
	cleanup := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	if cfg.EnableRedis {
		// go-redis logs pool and connection trouble through a process-wide
		// logger; route it into the JSON event stream instead of a bare line.
		goredis.SetLogger(redisLogger{logger})
		st, err := redisstore.Open(ctx, cfg.RedisURL, redisstore.Options{
			Prefix:     cfg.RedisPrefix,
			FailClosed: !cfg.RedisFailOpen,
			Logger:     logger,
		})
		if err != nil {
			return nil, cleanup, fmt.Errorf("redis_url: %w", err)
		}
		closers = append(closers, func() { _ = st.Close() })
		opts = append(opts, guard.WithStore(st))
	}
	if cfg.HasGeoSource() {
		up, err := maxmind.NewUpdater(maxmind.Options{
			Path:        cfg.GeoIPDatabase,
			LicenseKey:  cfg.GeoIPLicenseKey,
			DownloadURL: cfg.GeoIPDownloadURL,
			Interval:    cfg.GeoIPRefreshInterval.D(),
			Logger:      logger,
		})
		if err != nil {
			cleanup()
			return nil, func() {}, fmt.Errorf("geoip_database: %w", err)
		}
		up.Start(ctx)
		closers = append(closers, func() { _ = up.Close() })
		opts = append(opts, guard.WithGeoResolver(up))
	}
	return opts, cleanup, nil
}
