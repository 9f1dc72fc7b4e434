import type { ChartConfiguration } from 'chart.js';
import { chartModule, RADAR_FONT, radarCanvas } from '../../lib/heavy-modules.js';
import type { DigestData } from './digests.build.js';
import { scopeText } from './digests.views.js';

/**
 * The digest's picture: self-rating and customer rating, average per week, for the last weeks,
 * drawn on this machine (chart.js on a Skia canvas) to a PNG. It draws the trend's figures and nothing
 * else: each week's sum of whole passing atoms (digests.privacy.ts). A week with no unit to show is a
 * gap in the lines, as it is a blank in the digest.
 *
 * The font ships with the app (DejaVu Sans from npm), so the text renders even where the system has
 * no fonts at all.
 */

export const CHART_WIDTH = 1200;
export const CHART_HEIGHT = 600;
export const CHART_FONT = RADAR_FONT;

const COLORS = { self: '#2c4a6b', customer: '#d9822b', grid: '#e3e6ea', text: '#2b2b2b' };

let ready = false;
function prepare(): void {
  if (ready) return;
  radarCanvas();
  const { Chart, registerables } = chartModule();
  Chart.register(...registerables);
  Chart.defaults.font.family = `"${CHART_FONT}", "DejaVu Sans", sans-serif`;
  Chart.defaults.color = COLORS.text;
  ready = true;
}

/** True when the digest has at least one week with figures to draw. */
export function hasChart(data: DigestData): boolean {
  return data.trend.some((point) => point.figures !== null);
}

export function chartConfiguration(data: DigestData): ChartConfiguration<'line'> {
  const n = data.committee.minGroupSize;
  const labels = data.trend.map((point) => point.label);
  const line = (label: string, color: string, pick: 'self' | 'customer') => ({
    label,
    data: data.trend.map((point) => point.figures?.[pick] ?? null),
    borderColor: color,
    backgroundColor: color,
    borderWidth: 4,
    pointRadius: 6,
    spanGaps: false,
    tension: 0,
  });
  return {
    type: 'line',
    plugins: [
      {
        // Slack shows images on dark themes too: paint the background rather than leave it transparent.
        id: 'radar-background',
        beforeDraw: (chart) => {
          const { ctx, width, height } = chart;
          ctx.save();
          ctx.fillStyle = '#ffffff';
          ctx.fillRect(0, 0, width, height);
          ctx.restore();
        },
      },
    ],
    data: {
      labels,
      datasets: [
        line('Self-rating (average)', COLORS.self, 'self'),
        line('Customer rating (average)', COLORS.customer, 'customer'),
      ],
    },
    options: {
      responsive: false,
      animation: false,
      devicePixelRatio: 1,
      layout: { padding: 24 },
      scales: {
        y: {
          min: 1,
          max: 10,
          ticks: { stepSize: 1, font: { size: 18 } },
          grid: { color: COLORS.grid },
          title: { display: true, text: 'Score (1-10)', font: { size: 18 } },
        },
        x: {
          // Half a week of room at each end, so the first and last points and labels are not cut.
          offset: true,
          ticks: { font: { size: 18 } },
          grid: { color: COLORS.grid },
          title: { display: true, text: 'Week starting', font: { size: 18 } },
        },
      },
      plugins: {
        title: {
          display: true,
          text: `Self vs customer, average per week (${data.trend.length} weeks to ${data.week.label})`,
          font: { size: 26, weight: 'bold' },
        },
        subtitle: {
          display: true,
          text: `${scopeText(data)} · weeks in ${data.week.timeZone} · only units with ${n} or more staff members and ${n} or more customers`,
          font: { size: 18 },
          padding: { bottom: 12 },
        },
        legend: { position: 'bottom', labels: { font: { size: 18 }, boxWidth: 28 } },
      },
    },
  };
}

/** The chart as a PNG, or null when no week has figures to draw. */
export async function renderDigestChart(data: DigestData): Promise<Buffer | null> {
  if (!hasChart(data)) return null;
  prepare();
  const canvas = radarCanvas().createCanvas(CHART_WIDTH, CHART_HEIGHT);
  const { Chart } = chartModule();
  const context = canvas.getContext('2d');
  // chart.js draws on any 2D context; the Skia one answers the same calls as a browser's.
  const chart = new Chart(
    context as unknown as ConstructorParameters<typeof Chart>[0],
    chartConfiguration(data),
  );
  try {
    return await canvas.encode('png');
  } finally {
    chart.destroy();
  }
}
