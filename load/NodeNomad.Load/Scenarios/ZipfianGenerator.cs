namespace NodeNomad.Load.Scenarios;

/// <summary>
/// Draws ranks 0..n-1 with P(rank k) proportional to 1/(k+1)^θ, by the constant-time method of Gray et al., "Quickly
/// generating billion-record synthetic databases" (SIGMOD 1994), as YCSB does: rank 0 is the hottest key. Seeded
/// and not thread-safe: each client draws from its own.
/// </summary>
internal sealed class ZipfianGenerator
{
    /// <summary>YCSB's default skew.</summary>
    public const double DefaultTheta = 0.99;

    private readonly Random random;
    private readonly long count;
    private readonly double theta;
    private readonly double zetaN;
    private readonly double alpha;
    private readonly double eta;
    private readonly double halfPowTheta;

    public ZipfianGenerator(long count, int seed, double theta = DefaultTheta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(theta);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(theta, 1.0);
        random = new Random(seed);
        this.count = count;
        this.theta = theta;
        zetaN = Zeta(count, theta);
        alpha = 1.0 / (1.0 - theta);
        eta = (1 - Math.Pow(2.0 / count, 1 - theta)) / (1 - Zeta(2, theta) / zetaN);
        halfPowTheta = 1 + Math.Pow(0.5, theta);
    }

    /// <summary>The probability of rank <paramref name="rank"/> under this distribution.</summary>
    public double Probability(long rank) => 1.0 / Math.Pow(rank + 1, theta) / zetaN;

    public long Next()
    {
        var u = random.NextDouble();
        var uz = u * zetaN;
        if (uz < 1.0)
        {
            return 0;
        }

        if (uz < halfPowTheta)
        {
            return 1;
        }

        return Math.Min(count - 1, (long)(count * Math.Pow(eta * u - eta + 1, alpha)));
    }

    private static double Zeta(long n, double theta)
    {
        var sum = 0.0;
        for (long i = 1; i <= n; i++)
        {
            sum += 1.0 / Math.Pow(i, theta);
        }

        return sum;
    }
}
