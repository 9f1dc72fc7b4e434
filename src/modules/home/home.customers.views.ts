import type { KnownBlock, RawTextElement, TableBlock } from '@slack/types';
import { plain } from '../../lib/block-kit.js';
import { bold, bulleted, type Inline, link, paragraph, richText, text, user } from '../../lib/rich-text.js';
import { truncate } from '../../lib/text.js';
import type { Customer } from './home.circles.js';
import type { CustomersHome } from './home.customers.js';

/** The Home's "Your customers" (the circles' picture) and "Your services" (the table), as Block Kit. */

export const CIRCLES_BLOCK_ID = 'home_circles';
export const SERVICES_TABLE_BLOCK_ID = 'home_services';
/** Slack's raw_text cell needs at least one character: this one means "never rated". */
export const NOT_RATED_CELL = '–';

const note = (value: string): KnownBlock => ({ type: 'context', elements: [plain(value)] });
const header = (value: string): KnownBlock => ({ type: 'header', text: plain(value) });
const cell = (value: string): RawTextElement => ({ type: 'raw_text', text: value });
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const customerInline = (customer: Customer): Inline =>
  customer.userId ? user(customer.userId) : bold(truncate(customer.label, 80));

export function customersBlocks(customers: CustomersHome | null | undefined): KnownBlock[] {
  const blocks: KnownBlock[] = [header('Your customers')];
  if (!customers) {
    blocks.push(note('Nobody yet: the customers of the services you rate appear here, in circles.'));
    return blocks;
  }
  if (customers.picture) {
    blocks.push({
      type: 'image',
      block_id: CIRCLES_BLOCK_ID,
      slack_file: { id: customers.picture.fileId },
      alt_text: customers.inWords,
      title: plain('Your customers: core at the centre, then regular, occasional, should be'),
    });
    blocks.push(
      richText(
        paragraph(
          text(
            `${plural(customers.total, 'customer')}, each a dot in the ring of their latest round, coloured by their latest score (the number in the dot). `,
          ),
          customers.picture.permalink ? link(customers.picture.permalink, 'Download the picture') : false,
        ),
      ),
    );
  } else {
    // No picture this time (the upload failed): the same circles, in words.
    blocks.push(richText(paragraph(text(customers.inWords))));
  }
  return blocks;
}

/** The services' grid as Slack's table block: a header row, then a row per service. */
export function servicesTable(customers: CustomersHome): TableBlock {
  const { grid } = customers;
  return {
    type: 'table',
    block_id: SERVICES_TABLE_BLOCK_ID,
    column_settings: [{ is_wrapped: true }, ...grid.customers.map(() => ({ align: 'center' as const }))],
    rows: [
      [cell('Service'), ...grid.customers.map((customer) => cell(truncate(customer.label, 40)))],
      ...grid.rows.map((row) => [
        cell(truncate(row.service, 100)),
        ...row.scores.map((score) => cell(score === null ? NOT_RATED_CELL : String(score))),
      ]),
    ],
  };
}

export function servicesBlocks(customers: CustomersHome | null | undefined): KnownBlock[] {
  const blocks: KnownBlock[] = [header('Your services')];
  const grid = customers?.grid;
  if (!customers || !grid || grid.rows.length === 0) {
    blocks.push(note('No customer uses your services yet: rate one to start the grid.'));
  } else {
    blocks.push(servicesTable(customers));
    const left = [
      grid.omittedServices > 0 ? plural(grid.omittedServices, 'service') : '',
      grid.omittedCustomers > 0 ? plural(grid.omittedCustomers, 'customer') : '',
    ].filter(Boolean);
    blocks.push(
      note(
        `Each cell is that customer's latest score for that service; ${NOT_RATED_CELL} means they never rated it.${left.length ? ` Left out to fit: ${left.join(' and ')}.` : ''}`,
      ),
    );
  }
  if (customers && customers.grid.couldUse.length > 0) {
    blocks.push(
      richText(
        paragraph(bold("Should be, but aren't: services they could use")),
        bulleted(
          customers.grid.couldUse.map(({ customer, services, moreServices }): Inline[] => [
            customerInline(customer),
            text(
              services.length
                ? `: ${services.map((service) => truncate(service, 100)).join(', ')}${moreServices > 0 ? `, and ${moreServices} more` : ''}.`
                : ': nothing others use that they do not already.',
            ),
          ]),
        ),
      ),
    );
    if (customers.grid.omittedCouldUse > 0)
      blocks.push(
        note(`And ${plural(customers.grid.omittedCouldUse, 'more customer')} in the outer circle.`),
      );
  }
  return blocks;
}
